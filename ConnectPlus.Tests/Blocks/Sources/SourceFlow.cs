using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Sources;

/// <summary>
/// Runs a file source (block id "block") into an <see cref="OutcomeBlock"/> that ends the run as a test
/// needs, with a local connection named "data" rooted at the temp folder and, when set, a ledger.
/// </summary>
internal sealed class SourceFlow(TempFolder temp)
{
    public const string Connection = "data";

    /// <summary>The ledger the runs share, or null for a host without one.</summary>
    public IProcessedFileLedger? Ledger { get; init; }

    public static InMemoryConnectionProvider LocalConnection(string root) =>
        new([new ConnectionDefinition { Name = Connection, Type = "local", Settings = new JsonObject { ["folder"] = root } }]);

    public async Task<RunResult> RunAsync(string blockType, object settings, string outcome = "pass", TimeProvider? time = null)
    {
        var dataflow = new DataflowDefinition
        {
            Name = $"{blockType} then {outcome}",
            Nodes =
            [
                new() { Id = "block", Type = blockType, Settings = JsonSerializer.SerializeToNode(settings, DataflowJson.Options)!.AsObject() },
                new() { Id = "sink", Type = OutcomeBlock.Type, Settings = new JsonObject { ["outcome"] = outcome } },
            ],
            Edges = [EdgeDefinition.Link("block", "files", "sink", "files")],
        };
        using var cancel = new CancellationTokenSource();
        var services = new HarnessData(temp["collected"]);
        services.Extra[typeof(CancellationTokenSource)] = cancel;
        services.Extra[typeof(IConnectionProvider)] = LocalConnection(temp.Path);
        if (Ledger is not null) services.Extra[typeof(IProcessedFileLedger)] = Ledger;
        var options = new RunOptions { WorkRoot = temp["work"], OutputFolder = temp["runs"], Services = services, Time = time ?? TimeProvider.System };
        return await new DataflowRunner(BlockHarness.Catalog).RunAsync(dataflow, options, null, cancel.Token);
    }
}

internal static class RunResultExtensions
{
    /// <summary>Files the source block sent on.</summary>
    public static long FilesRead(this RunResult run) => run.Blocks.Single(b => b.NodeId == "block").FilesOut;

    public static IEnumerable<string> Messages(this RunResult run, RunLogLevel? level = null) =>
        run.Log.Where(l => l.NodeId == "block" && (level is null || l.Level == level)).Select(l => l.Message);
}
