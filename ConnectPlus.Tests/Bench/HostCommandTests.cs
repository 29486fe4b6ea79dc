using System.Text.Json.Nodes;
using ConnectPlus.Bench.Cli;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Tests.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ConnectPlus.Tests.Bench;

/// <summary>The bench tool's host-setup and host-run verbs against the web app on a real port, through its REST API.</summary>
public sealed class HostCommandTests : IAsyncLifetime, IDisposable
{
    private const string Key = "bench-test-key-0123456789";
    private readonly ConnectPlusWebFactory _root = new();
    private readonly TempFolder _temp = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private WebApplicationFactory<Program> _host = null!;
    private string _url = "";

    public Task InitializeAsync()
    {
        _host = _root.WithWebHostBuilder(b => b.UseSetting("Api:Keys:bench", Key));
        _host.UseKestrel(0);
        _host.StartServer();
        _url = _host.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _root.DisposeAsync();
    }

    public void Dispose()
    {
        _temp.Dispose();
        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public async Task SetupThenRun_ImportsTheDataflowWithTheOverrides_AndRunsItToItsEnd()
    {
        var input = Directory.CreateDirectory(_temp["in"]).FullName;
        var output = Directory.CreateDirectory(_temp["out"]).FullName;
        var flow = WriteCopyFlow();
        var connections = WriteConnections(_temp["drop"]);

        var setup = await Run("host-setup", "--url", _url, "--key", Key, "--flow", flow, "--connections", connections,
            "--set", $"source.folder={input}", "--set", $"destination.folder={output}", "--set", "write.fileNameTemplate=copy.csv");
        Assert.True(setup == 0, _error.ToString());
        var id = _output.ToString().Trim();
        Assert.Matches(@"^\d+$", id);
        // Again, under another name: the connection exists, so it is updated instead of created.
        _output.GetStringBuilder().Clear();
        Assert.Equal(0, await Run("host-setup", "--url", _url, "--key", Key, "--flow", flow, "--connections", connections, "--name", "copy again"));
        Assert.NotEqual(id, _output.ToString().Trim());

        await File.WriteAllLinesAsync(Path.Combine(input, "rows.csv"), ["id,name", "1,Asha", "2,Ravi", "3,Meera"]);
        _output.GetStringBuilder().Clear();
        var report = _temp["run.txt"];
        var run = await Run("host-run", "--url", _url, "--key", Key, "--dataflow", id, "--report", report);

        Assert.True(run == 0, _output + _error.ToString());
        Assert.Contains("Succeeded", _output.ToString(), StringComparison.Ordinal);
        var values = File.ReadAllLines(report);
        Assert.Contains("status=Succeeded", values);
        Assert.Contains("rows_read=3", values);
        Assert.Equal(["id,name", "1,Asha", "2,Ravi", "3,Meera"], await File.ReadAllLinesAsync(Path.Combine(output, "copy.csv")));
    }

    [Fact]
    public async Task Run_FailsWithTheHostsAnswer_WhenTheDataflowDoesNotExist()
    {
        var exit = await Run("host-run", "--url", _url, "--key", Key, "--dataflow", "999");

        Assert.Equal(1, exit);
        Assert.Contains("triggering a run of dataflow 999: the host answered 404", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_FailsWithTheHostsAnswer_WhenTheKeyIsWrong()
    {
        var exit = await Run("host-setup", "--url", _url, "--key", "not-the-key-0123456789", "--flow", WriteCopyFlow());

        Assert.Equal(1, exit);
        Assert.Contains("the host answered 401", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_RefusesAnOverrideOfANodeTheDataflowLacks()
    {
        var exit = await Run("host-setup", "--url", _url, "--key", Key, "--flow", WriteCopyFlow(), "--set", "nowhere.folder=/tmp");

        Assert.Equal(2, exit);
        Assert.Contains("the dataflow has no node 'nowhere'", _error.ToString(), StringComparison.Ordinal);
    }

    private string WriteCopyFlow()
    {
        static JsonObject Node(string id, string type, JsonObject settings) =>
            new() { ["id"] = id, ["type"] = type, ["version"] = 1, ["position"] = new JsonObject { ["x"] = 0, ["y"] = 0 }, ["settings"] = settings };
        var flow = new JsonObject
        {
            ["formatVersion"] = 1,
            ["name"] = "copy",
            ["nodes"] = new JsonArray(
                Node("source", "local-folder-source", new JsonObject { ["folder"] = "/nowhere", ["fileNamePattern"] = "\\.csv$" }),
                Node("read", "read-csv", []),
                Node("write", "write-csv", []),
                Node("destination", "local-folder-destination", new JsonObject { ["folder"] = "/nowhere" })),
            ["edges"] = new JsonArray(
                new JsonObject { ["from"] = "source:files", ["to"] = "read:files" },
                new JsonObject { ["from"] = "read:records", ["to"] = "write:records" },
                new JsonObject { ["from"] = "write:files", ["to"] = "destination:files" }),
        };
        var path = _temp["flow.json"];
        File.WriteAllText(path, "// a comment, as the samples have\n" + flow.ToJsonString());
        return path;
    }

    private string WriteConnections(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = _temp["connections.json"];
        File.WriteAllText(path, new JsonObject
        {
            ["connections"] = new JsonArray(new JsonObject { ["name"] = "drop", ["type"] = "local", ["settings"] = new JsonObject { ["folder"] = folder } }),
        }.ToJsonString());
        return path;
    }

    private Task<int> Run(params string[] args) => BenchCli.RunAsync(args, _output, _error, CancellationToken.None);
}
