using ConnectPlus.Web.Cli;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Web;

public sealed class CliRunCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliCommands.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Run_ExitsWithUsageError_WhenFlowIsMissing()
    {
        var (code, _, err) = await Cli("run");
        Assert.Equal(CliCommands.UsageError, code);
        Assert.Contains("run needs --flow FILE.", err);
    }

    [Fact]
    public async Task Run_ExitsWithUsageError_WhenTheFlowFileDoesNotExist()
    {
        var (code, _, err) = await Cli("run", "--flow", _folder["nope.json"]);
        Assert.Equal(CliCommands.UsageError, code);
        Assert.Contains("does not exist", err);
    }

    [Fact]
    public async Task Run_ExitsWithUsageError_OnAnUnknownOption()
    {
        var flow = _folder.Write("flow.json", """{"formatVersion":1,"nodes":[],"edges":[]}""");
        var (code, _, err) = await Cli("run", "--flow", flow, "--fast");
        Assert.Equal(CliCommands.UsageError, code);
        Assert.Contains("Unknown option '--fast'", err);
    }

    [Fact]
    public async Task Run_ExplainsBrokenJson()
    {
        var flow = _folder.Write("flow.json", "{ not json");
        var (code, _, err) = await Cli("run", "--flow", flow);
        Assert.Equal(CliCommands.UsageError, code);
        Assert.Contains("is not valid JSON", err);
    }

    [Fact]
    public async Task Run_ReportsValidationIssues_WhenTheDataflowIsInvalid()
    {
        var flow = _folder.Write("flow.json", """{"formatVersion":1,"name":"x","nodes":[{"id":"a","type":"no-such-block"}],"edges":[]}""");
        var (code, _, err) = await Cli("run", "--flow", flow);
        Assert.Equal(CliCommands.UsageError, code);
        Assert.Contains("Block 'a': Unknown block type 'no-such-block'.", err);
    }

    [Fact]
    public async Task Run_RejectsASetForAnUnknownBlock()
    {
        var flow = _folder.Write("flow.json", """{"formatVersion":1,"name":"x","nodes":[{"id":"a","type":"no-such-block"}],"edges":[]}""");
        var (code, _, err) = await Cli("run", "--flow", flow, "--set", "b.folder=/tmp");
        Assert.Equal(CliCommands.UsageError, code);
        Assert.Contains("--set b.folder: the dataflow has no block 'b'. Blocks: a.", err);
    }

    [Theory]
    [InlineData("nodot=1")]
    [InlineData("a.b")]
    public async Task Run_RejectsAMalformedSet(string assignment)
    {
        var flow = _folder.Write("flow.json", """{"formatVersion":1,"nodes":[],"edges":[]}""");
        var (code, _, err) = await Cli("run", "--flow", flow, "--set", assignment);
        Assert.Equal(CliCommands.UsageError, code);
        Assert.Contains("--set needs node.setting=value", err);
    }

    [Fact]
    public async Task UnknownVerb_PrintsUsage()
    {
        var (code, _, err) = await Cli("explode");
        Assert.Equal(CliCommands.UsageError, code);
        Assert.Contains("Unknown command 'explode'", err);
        Assert.Contains("Usage:", err);
    }

    [Theory]
    [InlineData(new[] { "run" }, true)]
    [InlineData(new[] { "--urls", "http://x" }, false)]
    [InlineData(new string[0], false)]
    public void IsVerb_TellsVerbsFromHostOptions(string[] args, bool expected) =>
        Assert.Equal(expected, CliCommands.IsVerb(args));

    [Fact]
    public async Task Run_UsesTheConnectionsFile_WithEnvironmentReferences()
    {
        var folder = Directory.CreateDirectory(_folder["data"]).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "a.txt"), "x");
        Environment.SetEnvironmentVariable("CONNECTPLUS_TEST_LOCAL_ROOT", _folder.Path);
        var connections = _folder.Write("connections.json", """{"connections":[{"name":"here","type":"local","settings":{"folder":"${env:CONNECTPLUS_TEST_LOCAL_ROOT}"}}]}""");
        var provider = await ConnectionsFile.LoadAsync(connections);

        var connection = await provider.GetAsync("HERE", CancellationToken.None);

        Assert.Equal(_folder.Path, connection.Settings["folder"]!.GetValue<string>());
        await using var location = ConnectPlus.Engine.Connectors.ConnectionCatalog.Default.OpenFileLocation(connection);
        var files = await location.ListAsync("data", recursive: false, CancellationToken.None).ToListAsync();
        Assert.Equal("data/a.txt", Assert.Single(files).Path);
    }

    [Fact]
    public async Task Run_RefusesAConnectionsFile_ThatNamesAMissingVariableOrType()
    {
        var missingVariable = _folder.Write("c1.json", """{"connections":[{"name":"x","type":"local","settings":{"folder":"${env:CONNECTPLUS_NOT_SET_ANYWHERE}"}}]}""");
        var unknownType = _folder.Write("c2.json", """{"connections":[{"name":"x","type":"gopher","settings":{}}]}""");

        var first = await Assert.ThrowsAsync<ArgumentException>(() => ConnectionsFile.LoadAsync(missingVariable));
        var second = await Assert.ThrowsAsync<ArgumentException>(() => ConnectionsFile.LoadAsync(unknownType));

        Assert.Contains("${env:CONNECTPLUS_NOT_SET_ANYWHERE}, which is not set", first.Message);
        Assert.Contains("unknown type 'gopher'", second.Message);
    }
}
