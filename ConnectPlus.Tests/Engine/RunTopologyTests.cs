using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Engine;

public sealed class RunTopologyTests
{
    private static RunTopology Topology(FlowBuilder flow)
    {
        var dataflow = flow.Build();
        return new RunTopology(dataflow, port =>
            BlockHarness.Catalog.Find(dataflow.FindNode(port.Node)!.Type)!.FindOutput(port.Port)!.Kind);
    }

    [Fact]
    public void MayStarve_IsTrue_WhenOneRecordsBlockFeedsBothInputs()
    {
        var topology = Topology(new FlowBuilder()
            .Node("gen", "test-generate")
            .Node("pass", "test-fail", new { afterBatches = 99 })
            .Node("join", "test-two-inputs")
            .Link("gen:records", "join:a")
            .Link("gen:records", "pass:records")
            .Link("pass:records", "join:b"));

        Assert.True(topology.MayStarve("join", "a", "b"));
        Assert.True(topology.MayStarve("join", "b", "a"));
    }

    [Fact]
    public void MayStarve_IsFalse_WhenTheInputsShareOnlyAFilesUpstream()
    {
        // source → (files, unbounded) → two readers → join: the shape of the export-join sample.
        var topology = Topology(new FlowBuilder()
            .Node("files", "test-feed-files", new { key = "f" })
            .Node("left", "test-rules", new { name = "l" })
            .Node("right", "test-rules", new { name = "r" })
            .Node("join", "test-two-inputs")
            .Link("files:files", "left:files")
            .Link("files:files", "right:files")
            .Link("left:records", "join:a")
            .Link("right:records", "join:b"));

        Assert.False(topology.MayStarve("join", "a", "b"));
    }

    [Fact]
    public void MayStarve_IsFalse_WhenTheInputsAreIndependent()
    {
        var topology = Topology(new FlowBuilder()
            .Node("g1", "test-generate")
            .Node("g2", "test-generate")
            .Node("join", "test-two-inputs")
            .Link("g1:records", "join:a")
            .Link("g2:records", "join:b"));

        Assert.False(topology.MayStarve("join", "a", "b"));
    }
}
