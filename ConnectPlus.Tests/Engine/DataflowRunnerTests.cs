using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Engine;

public sealed class DataflowRunnerTests : IDisposable
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(20);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_CountsRowsInAndOutPerBlock_WhenDataFlowsThrough()
    {
        var (result, probe, _) = await new FlowBuilder()
            .Node("gen", "test-generate", new { batches = 5, rowsPerBatch = 100 })
            .Node("sink", "test-sink")
            .Link("gen:records", "sink:records")
            .RunAsync(_folder);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal(500, result.Blocks.Single(b => b.NodeId == "gen").RowsOut);
        Assert.Equal(500, result.Blocks.Single(b => b.NodeId == "sink").RowsIn);
        Assert.Equal(500, probe.Received.Single().Rows);
    }

    [Fact]
    public async Task Run_BoundsBatchesInFlight_WhenSinkIsSlow()
    {
        const int capacity = 4;
        var (result, probe, _) = await new FlowBuilder()
            .Node("gen", "test-generate", new { batches = 200, rowsPerBatch = 10 })
            .Node("sink", "test-sink", new { delayMs = 2 })
            .Link("gen:records", "sink:records")
            .RunAsync(_folder, channelCapacity: capacity);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal(200, probe.Consumed);
        // The link holds `capacity` batches and the sink holds one: the generator can never run further ahead.
        Assert.InRange(probe.MaxInFlight, 1, capacity + 2);
    }

    [Fact]
    public async Task Run_SendsEveryBatchToEachLink_WhenOneOutputFeedsSeveralInputs()
    {
        var (result, probe, _) = await new FlowBuilder()
            .Node("gen", "test-generate", new { batches = 7, rowsPerBatch = 3 })
            .Node("left", "test-sink", new { name = "left" })
            .Node("right", "test-sink", new { name = "right", delayMs = 1 })
            .Link("gen:records", "left:records")
            .Link("gen:records", "right:records")
            .RunAsync(_folder);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Equal([("left", 21L), ("right", 21L)], probe.Received.OrderBy(r => r.Port));
        Assert.Equal(21, result.Blocks.Single(b => b.NodeId == "gen").RowsOut);
    }

    [Fact]
    public async Task Run_IsCancelled_WhenTokenIsCancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var run = new FlowBuilder()
            .Node("gen", "test-generate", new { forever = true, rowsPerBatch = 10 })
            .Node("sink", "test-sink", new { delayMs = 1 })
            .Link("gen:records", "sink:records")
            .RunAsync(_folder, cancellationToken: cancel.Token);

        var (result, _, _) = await run.WaitAsync(NoHang);

        Assert.Equal(RunOutcome.Cancelled, result.Outcome);
        Assert.Null(result.FailedNodeId);
        Assert.All(result.Blocks, b => Assert.Equal(BlockState.Cancelled, b.State));
    }

    [Fact]
    public async Task Run_FailsWithTheFailingBlocksError_AndStopsTheOthers()
    {
        var (result, _, observer) = await new FlowBuilder()
            .Node("gen", "test-generate", new { forever = true })
            .Node("fail", "test-fail", new { afterBatches = 3, message = "members.csv line 4: cannot go on" })
            .Node("sink", "test-sink")
            .Link("gen:records", "fail:records")
            .Link("fail:records", "sink:records")
            .RunAsync(_folder).WaitAsync(NoHang);

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Equal("fail", result.FailedNodeId);
        Assert.Equal("Block 'fail' (Test fail) failed: members.csv line 4: cannot go on", result.Error);
        Assert.Equal(BlockState.Failed, result.Blocks.Single(b => b.NodeId == "fail").State);
        Assert.Equal(BlockState.Cancelled, result.Blocks.Single(b => b.NodeId == "gen").State);
        Assert.Contains(observer.Log, l => l.Level == RunLogLevel.Error && l.NodeId == "fail");
    }

    [Fact]
    public async Task Run_DoesNotHang_WhenTheOtherBranchOfATwoInputBlockFails()
    {
        // "a" fills its link and waits while the block reads "b" first; "b" fails.
        var (result, _, _) = await new FlowBuilder()
            .Node("big", "test-generate", new { batches = 10_000, rowsPerBatch = 5 })
            .Node("bad", "test-fail", new { afterBatches = 0, message = "profiles file is missing" })
            .Node("join", "test-two-inputs")
            .Node("sink", "test-sink")
            .Link("big:records", "join:a")
            .Link("bad:records", "join:b")
            .Link("join:records", "sink:records")
            .RunAsync(_folder).WaitAsync(NoHang);

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Equal("bad", result.FailedNodeId);
        Assert.Contains("profiles file is missing", result.Error);
    }

    [Fact]
    public async Task Run_WritesUnlinkedRejectsToTheErrorFile_WithErrorColumns()
    {
        var (result, _, observer) = await new FlowBuilder()
            .Node("gen", "test-generate", new { batches = 2, rowsPerBatch = 10, rejectEvery = 5 })
            .Node("sink", "test-sink")
            .Link("gen:records", "sink:records")
            .RunAsync(_folder);

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Outcome);
        Assert.Equal(4, result.Rejected);
        Assert.Equal(4, observer.Rejected.Count);
        var file = Assert.Single(result.ErrorFiles);
        Assert.Equal("errors-gen.csv", Path.GetFileName(file));
        var lines = await File.ReadAllLinesAsync(file);
        Assert.Equal("n,text,error_block,error_code,error_message,source_file,source_line", lines[0]);
        Assert.Equal("0,row 0,gen,TEST,row 0 is bad,gen.csv,2", lines[1]);
        Assert.Equal(5, lines.Length);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, "*.part"));
    }

    [Fact]
    public async Task Run_SendsRejectsToTheRejectedPort_WhenItIsLinked()
    {
        var (result, probe, observer) = await new FlowBuilder()
            .Node("gen", "test-generate", new { batches = 3, rowsPerBatch = 10, rejectEvery = 2 })
            .Node("sink", "test-sink", new { name = "good" })
            .Node("bad", "test-sink", new { name = "bad" })
            .Link("gen:records", "sink:records")
            .Link("gen:rejected", "bad:records")
            .RunAsync(_folder);

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Outcome);
        Assert.Equal([("bad", 15L), ("good", 15L)], probe.Received.OrderBy(r => r.Port));
        Assert.Empty(result.ErrorFiles);
        Assert.Empty(observer.Rejected);
    }

    [Fact]
    public async Task Run_Fails_WhenRejectsCrossTheErrorLimit()
    {
        var (result, _, _) = await new FlowBuilder()
            .Node("gen", "test-generate", new { batches = 100, rowsPerBatch = 10, rejectEvery = 2 })
            .Node("sink", "test-sink")
            .Link("gen:records", "sink:records")
            .Options(new DataflowOptions { MaxErrors = 10 })
            .RunAsync(_folder).WaitAsync(NoHang);

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Equal("gen", result.FailedNodeId);
        Assert.Contains("more than the dataflow's limit of 10", result.Error);
        Assert.Single(result.ErrorFiles); // what was rejected so far is kept
    }

    [Fact]
    public async Task Run_Fails_WhenRejectRateCrossesTheLimit()
    {
        var (result, _, _) = await new FlowBuilder()
            .Node("gen", "test-generate", new { batches = 100, rowsPerBatch = 10, rejectEvery = 4 })
            .Node("sink", "test-sink")
            .Link("gen:records", "sink:records")
            .Options(new DataflowOptions { MaxErrorRatePercent = 10, ErrorRateMinimumRows = 100 })
            .RunAsync(_folder).WaitAsync(NoHang);

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("above the dataflow's limit of 10%", result.Error);
    }

    [Fact]
    public async Task Run_GivesEachBlockAWorkFolder_AndRemovesItAtTheEnd()
    {
        var (result, probe, _) = await new FlowBuilder()
            .Node("gen", "test-generate")
            .Node("sink", "test-sink", new { useWorkFolder = true })
            .Link("gen:records", "sink:records")
            .RunAsync(_folder);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.True(probe.WorkFileExistedDuringRun);
        Assert.StartsWith(_folder["work"], probe.WorkFolderSeen);
        Assert.False(Directory.Exists(probe.WorkFolderSeen));
        Assert.Empty(Directory.GetDirectories(_folder["work"]));
    }

    [Fact]
    public async Task Run_ReportsStatesLogAndProgress_ToTheObserver()
    {
        var (result, _, observer) = await new FlowBuilder()
            .Node("gen", "test-generate", new { batches = 50, rowsPerBatch = 10 })
            .Node("sink", "test-sink", new { delayMs = 2 })
            .Link("gen:records", "sink:records")
            .RunAsync(_folder);

        Assert.Equal(RunOutcome.Succeeded, result.Outcome);
        Assert.Contains(("sink", BlockState.Running), observer.States);
        Assert.Contains(("sink", BlockState.Completed), observer.States);
        Assert.Contains(observer.Log, l => l.Message.Contains("started", StringComparison.Ordinal));
        Assert.Contains(observer.Log, l => l.Message.StartsWith("Run ended: Succeeded", StringComparison.Ordinal));
        Assert.True(observer.ProgressCalls > 0);
        Assert.Equal(observer.Log.Count, result.Log.Count);
    }

    [Fact]
    public async Task Run_DoesNotStart_WhenTheDataflowIsInvalid()
    {
        var (result, probe, _) = await new FlowBuilder()
            .Node("gen", "test-generate")
            .Node("sink", "test-sink")
            .RunAsync(_folder);

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Equal("sink", result.FailedNodeId);
        Assert.Contains("Input 'Records' of Test sink is not connected", result.Error);
        Assert.Empty(result.Blocks);
        Assert.Empty(probe.Received);
    }
}
