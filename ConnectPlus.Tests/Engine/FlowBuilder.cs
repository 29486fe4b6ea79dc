using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Engine;

/// <summary>Builds small dataflows in tests: <c>new FlowBuilder().Node("g", "test-generate", new { batches = 3 }).Link("g:records", "s:records")</c>.</summary>
public sealed class FlowBuilder
{
    private readonly List<NodeDefinition> _nodes = [];
    private readonly List<EdgeDefinition> _edges = [];
    private DataflowOptions _options = new();

    public FlowBuilder Node(string id, string type, object? settings = null)
    {
        var json = settings is null ? [] : JsonSerializer.SerializeToNode(settings, DataflowJson.Options)!.AsObject();
        _nodes.Add(new NodeDefinition { Id = id, Type = type, Settings = json });
        return this;
    }

    public FlowBuilder Link(string from, string to)
    {
        _edges.Add(new EdgeDefinition { From = from, To = to });
        return this;
    }

    public FlowBuilder Options(DataflowOptions options)
    {
        _options = options;
        return this;
    }

    public DataflowDefinition Build() => new() { Name = "test flow", Nodes = [.. _nodes], Edges = [.. _edges], Options = _options };

    /// <summary>Runs the flow with the harness catalog, a probe for the test blocks and a temp folder.</summary>
    public async Task<(RunResult Result, FlowProbe Probe, RecordingObserver Observer)> RunAsync(TempFolder folder, int channelCapacity = 4, CancellationToken cancellationToken = default)
    {
        var probe = new FlowProbe();
        var observer = new RecordingObserver();
        var options = new RunOptions
        {
            WorkRoot = folder["work"],
            OutputFolder = folder["runs"],
            Services = probe,
            ChannelCapacity = channelCapacity,
            ProgressInterval = TimeSpan.FromMilliseconds(20),
        };
        var result = await new DataflowRunner(BlockHarness.Catalog).RunAsync(Build(), options, observer, cancellationToken);
        return (result, probe, observer);
    }
}
