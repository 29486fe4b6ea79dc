using System.IO.Compression;
using System.Runtime.CompilerServices;
using ConnectPlus.Bench.Export;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Web.Cli;

namespace ConnectPlus.Tests.Web;

/// <summary>The samples in samples/ stay valid and run through the CLI as the README says.</summary>
public sealed class CliSampleRunTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The sample dataflows (connections.*.json are connection files for --connections).</summary>
    public static TheoryData<string> Samples() =>
        [.. Directory.GetFiles(SamplesFolder(), "*.json").Select(f => Path.GetFileName(f)).Where(f => !f.StartsWith("connections.", StringComparison.Ordinal))];

    [Fact]
    public async Task ConnectionsSample_Loads_AndNamesTheSandbox()
    {
        var provider = await ConnectionsFile.LoadAsync(Path.Combine(SamplesFolder(), "connections.sandbox.json"));

        var connection = await provider.GetAsync("capillary-sandbox", CancellationToken.None);

        Assert.Equal(("capillary", "http://localhost:5000/sandbox/capillary"), (connection.Type, connection.Settings["baseUrl"]!.GetValue<string>()));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Sample_IsValid(string file)
    {
        var dataflow = await DataflowJson.LoadAsync(Path.Combine(SamplesFolder(), file));

        Assert.Empty(new DataflowValidator(BlockCatalog.Default).Validate(dataflow));
    }

    [Fact]
    public async Task ExportJoinSample_WritesTheMemberFile_AndMovesTheExportToProcessed()
    {
        var input = _folder["in"];
        var output = _folder["out"];
        ExportGenerator.Generate(new ExportOptions { Members = 300, OutputFolder = input, Zip = true, Seed = 7 }, CancellationToken.None);

        var (code, text, error) = await RunSampleAsync(input, output);

        Assert.True(code == CliCommands.Success, error + text);
        Assert.Contains("Outcome: Succeeded.", text);
        Assert.Matches(@"Run CPU: \d+\.\d\d s \(user \+ system, all threads\)\.", text);
        Assert.Matches(@"JIT during the run: [\d,]+ methods compiled in \d+\.\d\d s\.", text);
        Assert.Matches(@"join\s+Join\s+[\d,]+\s+[\d,]+\s+0", text);
        var file = Assert.Single(Directory.GetFiles(output));
        Assert.Matches(@"member_file_\d{4}-\d{2}-\d{2}\.csv$", file);
        var lines = await File.ReadAllLinesAsync(file);
        Assert.Equal("member_id,mobile,email,full_name,tier,points,lifetime_points,joined_on,tier_changed_at,previous_tier,channel,brand", lines[0]);
        Assert.True(lines.Length > 300, $"expected at least one row per member, got {lines.Length - 1}");
        Assert.All(lines.Skip(1), l => Assert.EndsWith(",DemoBrand", l));
        Assert.Empty(Directory.GetFiles(input));
        Assert.Single(Directory.GetFiles(Path.Combine(input, "processed")));
    }

    [Fact]
    public async Task ExportJoinSample_RejectsABadRowIntoTheErrorFile_AndStillSucceeds()
    {
        var input = Directory.CreateDirectory(_folder["in"]).FullName;
        var output = _folder["out"];
        WriteExport(Path.Combine(input, "Export_2026-11-27.zip"),
            members: "user_id,mobile,email,external_id,first_name,last_name,slab,current_points,lifetime_points,lifetime_purchases,joined_date,last_transaction_date,store\n" +
                     "1,9190000001,a@x.in,,Asha,Rao,GOLD,10,20,30,2024-01-01,2024-02-01,S1\n" +
                     "2,9190000002,b@x.in,,Ravi,Iyer,GOLD,10,20\n",
            slabs: "id,user_id,slab_name,previous_slab,event_time,notes\n7,1,GOLD,BASE,2024-03-01 10:00:00,\n",
            profiles: "id,user_id,source,mobile,email,external_id,first_name,last_name,channel_account\n9,1,INSTORE,9190000001,a@x.in,,Asha,Rao,\n");

        var (code, text, error) = await RunSampleAsync(input, output, "--runs", _folder["runs"]);

        Assert.True(code == CliCommands.Success, error + text);
        Assert.Contains("Outcome: SucceededWithErrors.", text);
        var errorFile = Assert.Single(Directory.GetFiles(_folder["runs"], "errors-members.csv", SearchOption.AllDirectories));
        Assert.Contains($"Error file: {errorFile}", text);
        var errors = await File.ReadAllLinesAsync(errorFile);
        Assert.EndsWith("error_block,error_code,error_message,source_file,source_line", errors[0]);
        Assert.StartsWith("2,9190000002,b@x.in,,Ravi,Iyer,GOLD,10,20,,,,,members,CSV_FIELD_COUNT,", errors[1]);
        Assert.EndsWith(",Export_Members_1.csv,3", errors[1]);
        var rows = await File.ReadAllLinesAsync(Assert.Single(Directory.GetFiles(output)));
        Assert.Equal(2, rows.Length);
        Assert.StartsWith("1,9190000001,a@x.in,Asha Rao,GOLD,10,20,2024-01-01,2024-03-01 10:00:00,BASE,INSTORE,DemoBrand", rows[1]);
    }

    [Fact]
    public async Task ExportJoinSample_FailsWithExitCodeOne_WhenTheSourceFolderIsMissing()
    {
        var (code, text, error) = await RunSampleAsync(_folder["missing"], _folder["out"]);

        Assert.Equal(CliCommands.RunFailed, code);
        Assert.Contains("Outcome: Failed.", text);
        Assert.Contains("Run Failed: Block 'Export folder' (Local folder) failed:", error);
        Assert.Contains(_folder["missing"], error);
    }

    private async Task<(int Code, string Out, string Err)> RunSampleAsync(string input, string output, params string[] extra)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] args = ["run", "--flow", Path.Combine(SamplesFolder(), "export-join.json"),
            "--set", $"source.folder={input}", "--set", $"destination.folder={output}", "--runs", _folder["runs"], .. extra];
        var code = await CliCommands.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void WriteExport(string zipPath, string members, string slabs, string profiles)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        foreach (var (name, text) in new[] { ("Export_Members_1.csv", members), ("Export_SlabChangeLog_1.csv", slabs), ("Export_Profiles_1.csv", profiles) })
        {
            using var writer = new StreamWriter(zip.CreateEntry(name).Open());
            writer.Write(text);
        }
    }

    private static string SamplesFolder([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "samples"));
}
