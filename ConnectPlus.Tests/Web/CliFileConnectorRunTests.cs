using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Web.Cli;

namespace ConnectPlus.Tests.Web;

/// <summary>Headless runs of file-source → file-destination on a connection from --connections, with the ledger in the runs folder.</summary>
public sealed class CliFileConnectorRunTests : IDisposable
{
    private static readonly string[] MembersAndSlabs = [@"^members_(\d{8})\.csv$", @"^slab_(\d{8})\.csv$"];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<(int Code, string Out, string Err)> RunAsync(string flow, string connections)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliCommands.RunAsync(["run", "--flow", flow, "--connections", connections, "--runs", _folder["runs"]], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Flow(object sourceSettings, object destinationSettings)
    {
        var flow = new JsonObject
        {
            ["formatVersion"] = 1,
            ["name"] = "copy on a connection",
            ["nodes"] = new JsonArray(
                new JsonObject { ["id"] = "source", ["type"] = "file-source", ["version"] = 1, ["settings"] = JsonSerializer.SerializeToNode(sourceSettings) },
                new JsonObject { ["id"] = "destination", ["type"] = "file-destination", ["version"] = 1, ["settings"] = JsonSerializer.SerializeToNode(destinationSettings) }),
            ["edges"] = new JsonArray(new JsonObject { ["from"] = "source:files", ["to"] = "destination:files" }),
        };
        return _folder.Write("flow.json", flow.ToJsonString());
    }

    private string Connections()
    {
        var root = Directory.CreateDirectory(_folder["data"]).FullName;
        var file = new JsonObject
        {
            ["connections"] = new JsonArray(new JsonObject { ["name"] = "brand-files", ["type"] = "local", ["settings"] = new JsonObject { ["folder"] = root } }),
        };
        return _folder.Write("connections.json", file.ToJsonString());
    }

    [Fact]
    public async Task Run_ProcessesNothingTheSecondTime_BecauseTheLedgerKnowsTheFiles()
    {
        _folder.Write("data/in/members_20250101.csv", "id\n1\n");
        _folder.Write("data/in/slab_20250101.csv", "id,slab\n1,GOLD\n");
        var flow = Flow(
            new { connection = "brand-files", sourceFolder = "in", fileSet = MembersAndSlabs },
            new { connection = "brand-files", folder = "out", zip = true });
        var connections = Connections();

        var (firstCode, first, firstError) = await RunAsync(flow, connections);
        var (secondCode, second, secondError) = await RunAsync(flow, connections);

        Assert.True(firstCode == CliCommands.Success, firstError + first);
        Assert.Contains("Outcome: Succeeded.", first);
        Assert.Contains("Reading 2 files in 1 file sets.", first);
        Assert.Equal(["members_20250101.zip", "slab_20250101.zip"], Directory.GetFiles(_folder["data/out"]).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(secondCode == CliCommands.Success, secondError + second);
        Assert.Contains("2 already processed are skipped", second);
        Assert.Contains("[source] 'in/members_20250101.csv' on file://", second);
        Assert.Contains("skipped: already processed by run", second);
        Assert.Contains("0 files written to 'out' on file://", second);
        Assert.Equal(2, Directory.GetFiles(_folder["data/out"]).Length);
        Assert.Single(Directory.GetFiles(Path.Combine(_folder["runs"], "ledger"), "*.jsonl"));
    }

    [Fact]
    public async Task Run_FailsNamingTheSetting_WhenTheFlowNamesAConnectionTheFileLacks()
    {
        var flow = Flow(new { connection = "elsewhere", sourceFolder = "in" }, new { connection = "brand-files", folder = "out" });

        var (code, text, error) = await RunAsync(flow, Connections());

        Assert.Equal(CliCommands.RunFailed, code);
        Assert.Contains("Outcome: Failed.", text);
        Assert.Contains("Setting 'connection': There is no connection named 'elsewhere'. Known connections: brand-files.", error);
    }
}
