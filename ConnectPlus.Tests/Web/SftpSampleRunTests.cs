using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConnectPlus.Bench.Export;
using ConnectPlus.Bench.Transactions;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Sftp;
using ConnectPlus.Tests.Bench;
using ConnectPlus.Tests.Connectors;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Tests.Sandbox;
using ConnectPlus.Web.Cli;

namespace ConnectPlus.Tests.Web;

/// <summary>
/// The SFTP samples (export-join-sftp.json, transactions-to-capillary-sftp.json) run by the CLI as a child
/// process against the loopback sshd, with samples/connections.sftp.json as shipped (its password an
/// environment reference): input put on the server, outputs read back over SFTP, the source file moved to the
/// processed folder, and the processed-file ledger keeping a second run from reading it again.
/// </summary>
[Collection(FileServersGroup.Name)]
public sealed class SftpSampleRunTests : IClassFixture<KestrelSandbox>, IAsyncLifetime
{
    private const string PasswordVariable = "BRAND_SFTP_PASSWORD";
    private const int Members = 20;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private readonly KestrelSandbox _server;
    private readonly SandboxApi _api;
    private readonly TempFolder _folder = new();
    private readonly Xunit.Abstractions.ITestOutputHelper _log;
    private readonly string _root = "sample-" + Guid.NewGuid().ToString("N")[..8];
    private SftpFileLocation _sftp = null!;

    public SftpSampleRunTests(KestrelSandbox server, Xunit.Abstractions.ITestOutputHelper log)
    {
        _server = server;
        _log = log;
        _api = server.Api();
    }

    public async Task InitializeAsync()
    {
        await ServerDisk.CreateFolderAsync(_root);
        _sftp = new SftpFileLocation(SftpFileLocationTests.Settings(_root));
    }

    public async Task DisposeAsync()
    {
        await _sftp.DisposeAsync();
        await ServerDisk.RemoveFolderAsync(_root);
        _api.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public void ConnectionsSample_HoldsNoSecret_ButAnEnvironmentReference()
    {
        var settings = SampleConnection("brand-sftp")["settings"]!;

        Assert.Equal("${env:BRAND_SFTP_PASSWORD}", settings["password"]!.GetValue<string>());
        Assert.Null(settings["privateKey"]);
    }

    [Fact]
    public async Task ExportJoinSftpSample_DeliversTheMemberFile_MovesTheExport_AndTheLedgerKeepsItFromASecondRun()
    {
        var export = ExportGenerator.Generate(new ExportOptions { Members = 300, OutputFolder = _folder["export"], Zip = true, Seed = 11 }, CancellationToken.None);
        var zipName = Path.GetFileName(Assert.Single(Directory.GetFiles(_folder["export"], "*.zip")));
        await PutAsync($"exports/{zipName}", Path.Combine(_folder["export"], zipName));
        var expected = await RunLocalExportJoinAsync(_folder["export"]);
        string[] arguments = ["--set", $"source.sourceFolder={_root}/exports", "--set", $"destination.folder={_root}/outbox"];

        var (code, output) = await RunSampleAsync("export-join-sftp.json", arguments);

        Assert.True(code == CliCommands.Success, output);
        Assert.Contains("Outcome: Succeeded.", output);
        var memberFile = Assert.Single(await ListAsync("outbox"));
        Assert.Matches(@"^outbox/member_file_\d{4}-\d{2}-\d{2}\.csv$", memberFile);
        Assert.Equal(expected, await GetAsync(memberFile));
        Assert.True(CountLines(expected) > export.Files.Single(f => f.Name.Contains("_Members_", StringComparison.Ordinal)).Rows, "one row per member at least");
        Assert.Equal([$"exports/processed/{zipName}"], await ListAsync("exports", recursive: true));

        // The move to the processed folder "failed": the export is back where it was, same size and time.
        await _sftp.MoveAsync($"exports/processed/{zipName}", $"exports/{zipName}", CancellationToken.None);
        var (secondCode, second) = await RunSampleAsync("export-join-sftp.json", arguments);

        Assert.True(secondCode == CliCommands.Success, second);
        Assert.Contains($"'{_root}/exports/{zipName}' on sftp://", second);
        Assert.Matches(@"skipped: already processed by run \S+", second);
        Assert.Contains("Rows read: 0 ", second);
        Assert.Equal(expected, await GetAsync(memberFile));
        // A run that reads nothing still writes the member file's empty shell (Write CSV writes a file by default), but no rows.
        foreach (var other in (await ListAsync("outbox")).Where(f => f != memberFile)) Assert.True(CountLines(await GetAsync(other)) <= 1, other);
        Assert.Equal([$"exports/processed/{zipName}"], await ListAsync("exports", recursive: true));
    }

    [Fact]
    public async Task TransactionsSftpSample_DeliversTheBills_WritesSuccessInvalidAndRefusedFilesOnTheServer_AndNeverSendsAFileTwice()
    {
        await SandboxBills.PrepareAsync(_api, Members, latencyMs: 0);
        var local = _folder["bills.csv"];
        var generated = TransactionsGenerator.Generate(new TransactionsOptions
        {
            Bills = 400, OutputFile = local, Members = Members, Seed = 5, BadShare = 0.05,
        }, CancellationToken.None);
        Assert.True(generated.BadBills[BadBillKind.NegativeAmount] > 0 && generated.BadRows > generated.BadBills[BadBillKind.NegativeAmount],
            "the seed must give both bills the API refuses and rows that cannot become a transaction");
        await PutAsync("bills/bills.csv", local);
        var input = BenchCsv.Read(local);
        string[] arguments =
        [
            "--set", $"source.sourceFolder={_root}/bills", "--set", $"destination.folder={_root}/results",
            "--set", $"invalid-destination.folder={_root}/results", "--set", $"refused-destination.folder={_root}/results",
            "--set", "capillary.batchSize=10",
        ];

        var (code, output) = await RunSampleAsync("transactions-to-capillary-sftp.json", arguments);

        Assert.True(code == CliCommands.Success, output);
        Assert.Contains("Outcome: SucceededWithErrors.", output);
        var bills = await SandboxBills.CountAsync(_api);
        Assert.Equal(generated.Bills - generated.BadBills.Values.Sum(), bills.Count);
        Assert.All(bills.Values, n => Assert.Equal(1, n));
        var results = await ListAsync("results");
        Assert.Equal(3, results.Count);
        var delivered = await ReadCsvAsync(Assert.Single(results, f => f.Contains("/bills_delivered_", StringComparison.Ordinal)));
        var invalid = await ReadCsvAsync(Assert.Single(results, f => f.Contains("/bills_invalid_", StringComparison.Ordinal)));
        var refused = await ReadCsvAsync(Assert.Single(results, f => f.Contains("/bills_refused_", StringComparison.Ordinal)));

        // Delivered: every good input row, as read, with the sandbox's answer.
        Assert.Equal([.. input.Header, "api_status", "api_code", "api_message", "entity_id", "points_awarded"], delivered.Header);
        Assert.Equal(generated.Rows - generated.BadRows, delivered.Rows.Count);
        Assert.All(delivered.Rows, r => Assert.Matches(@"^success,,,\d+,\d+$", string.Join(',', r[input.Header.Count..])));
        // Invalid and refused: the bad input rows (the columns the flow reads), each naming its line, with the reason.
        string[] read = [.. input.Header.Where(c => c is not ("store_code" or "payment_mode"))];
        string[] errorHeader = [.. read, "error_code", "error_message", "source_file", "source_line"];
        Assert.Equal(errorHeader, invalid.Header);
        Assert.Equal(errorHeader, refused.Header);
        var errors = invalid.Rows.Concat(refused.Rows).ToList();
        Assert.All(errors, r => Assert.Equal(Columns(input, input.Rows[int.Parse(r[^1], CultureInfo.InvariantCulture) - 2], read), r[..read.Length]));
        Assert.All(errors, r => Assert.Equal("bills.csv", r[^2]));
        Assert.All(refused.Rows, r => Assert.Equal("631", r[^4]));
        Assert.All(invalid.Rows, r => Assert.NotEqual("631", r[^4]));
        Assert.Equal(generated.BadRows, errors.Count);
        // Every input line is delivered or in an error file, once.
        var lines = delivered.Rows.Select(r => string.Join('\u001f', r[..input.Header.Count]))
            .Concat(errors.Select(r => string.Join('\u001f', Columns(input, input.Rows[int.Parse(r[^1], CultureInfo.InvariantCulture) - 2], input.Header))));
        Assert.Equal(input.Rows.Select(r => string.Join('\u001f', r)).Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
        Assert.Equal(["bills/processed/bills.csv"], await ListAsync("bills", recursive: true));

        // The move to the processed folder "failed": the file is back where it was, same size and time.
        await _sftp.MoveAsync("bills/processed/bills.csv", "bills/bills.csv", CancellationToken.None);
        var (secondCode, second) = await RunSampleAsync("transactions-to-capillary-sftp.json", arguments);

        Assert.True(secondCode == CliCommands.Success, second);
        Assert.Matches(@"skipped: already processed by run \S+", second);
        Assert.Contains("Rows read: 0 ", second);
        Assert.Equal(bills, await SandboxBills.CountAsync(_api));
        Assert.Equal(3, (await ListAsync("results")).Count(f => f.Contains("/bills_", StringComparison.Ordinal)));
        // A run that read nothing wrote nothing: no empty success, invalid or refused file (When no rows: skip).
        Assert.Equal(3, (await ListAsync("results")).Count);
        Assert.Equal(3, Regex.Count(second, Regex.Escape("No rows arrived: no file written (When no rows: skip).")));
        Assert.Equal(["bills/processed/bills.csv"], await ListAsync("bills", recursive: true));
    }

    /// <summary>Runs a sample through the CLI in a child process with the SFTP connections file and the password in its environment.</summary>
    private async Task<(int Code, string Output)> RunSampleAsync(string sample, string[] overrides)
    {
        string[] arguments = ["run", "--flow", Path.Combine(SamplesFolder(), sample), "--connections", ConnectionsFile(), "--runs", _folder["runs"], .. overrides];
        var (code, output) = await CliProcess.RunAsync(arguments, new Dictionary<string, string> { [PasswordVariable] = TestServers.Password }, RunTimeout);
        _log.WriteLine(output);
        return (code, output);
    }

    /// <summary>samples/connections.sftp.json pointed at the loopback servers; the password stays an environment reference.</summary>
    private string ConnectionsFile()
    {
        var path = _folder["connections.json"];
        if (File.Exists(path)) return path;
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(SamplesFolder(), "connections.sftp.json")), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        foreach (var connection in file["connections"]!.AsArray())
        {
            var settings = connection!["settings"]!;
            switch (connection["name"]!.GetValue<string>())
            {
                case "brand-sftp":
                    settings["host"] = TestServers.Host;
                    settings["port"] = TestServers.SftpPort;
                    settings["username"] = TestServers.User;
                    settings["rootFolder"] = "upload";
                    settings["hostKeyFingerprint"] = TestServers.SftpHostFingerprint;
                    break;
                case "capillary-sandbox":
                    settings["baseUrl"] = _server.CapillaryUrl;
                    break;
            }
        }
        File.WriteAllText(path, file.ToJsonString());
        return path;
    }

    private static JsonNode SampleConnection(string name)
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(SamplesFolder(), "connections.sftp.json")), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        return file["connections"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!;
    }

    /// <summary>What the local export-join sample writes for the same export: the bytes the SFTP one must deliver.</summary>
    private async Task<byte[]> RunLocalExportJoinAsync(string exportFolder)
    {
        var input = _folder["local-in"];
        Directory.CreateDirectory(input);
        foreach (var file in Directory.GetFiles(exportFolder)) File.Copy(file, Path.Combine(input, Path.GetFileName(file)));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliCommands.RunAsync(["run", "--flow", Path.Combine(SamplesFolder(), "export-join.json"), "--set", $"source.folder={input}",
            "--set", $"destination.folder={_folder["local-out"]}", "--runs", _folder["local-runs"]], stdout, stderr);
        Assert.True(code == CliCommands.Success, stderr.ToString() + stdout);
        return await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(_folder["local-out"])));
    }

    private async Task PutAsync(string path, string localFile)
    {
        await using var content = File.OpenRead(localFile);
        await _sftp.WriteAsync(path, content, ConflictMode.Fail, CancellationToken.None);
    }

    private async Task<byte[]> GetAsync(string path)
    {
        await using var stream = await _sftp.OpenReadAsync(path, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private async Task<BenchCsv> ReadCsvAsync(string path)
    {
        using var stream = new MemoryStream(await GetAsync(path));
        return BenchCsv.Read(stream);
    }

    private async Task<List<string>> ListAsync(string folder, bool recursive = false)
    {
        var files = new List<string>();
        await foreach (var file in _sftp.ListAsync(folder, recursive, CancellationToken.None)) files.Add(file.Path);
        return files;
    }

    /// <summary>The values of a row of <paramref name="file"/> in the columns named.</summary>
    private static string[] Columns(BenchCsv file, string[] row, IEnumerable<string> names) =>
        [.. names.Select(n => row[file.Header.ToList().IndexOf(n)])];

    private static int CountLines(byte[] content) => content.Count(b => b == (byte)'\n');

    private static string SamplesFolder([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "samples"));
}
