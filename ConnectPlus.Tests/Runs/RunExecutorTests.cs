using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Data;
using ConnectPlus.Tests.Engine;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Tests.Runs;

/// <summary>Runs executed by the in-process dispatcher on SQLite: outcome, counts, log, error sample, cancel, heartbeat.</summary>
public sealed class RunExecutorTests(SqliteTestDatabase database) : IClassFixture<SqliteTestDatabase>, IAsyncLifetime
{
    private RunsTestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = new RunsTestHost(database);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<long> StartAsync(DataflowDefinition flow, InterruptedRunAction onInterrupted = InterruptedRunAction.Resume)
    {
        var (dataflowId, _, _) = await _host.AddDataflowAsync(flow, onInterrupted: onInterrupted);
        var result = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "asha"), CancellationToken.None);
        Assert.True(result.IsQueued, result.SkippedReason);
        return result.RunId!.Value;
    }

    [Fact]
    public async Task ExecuteAsync_RecordsOutcomeCountsAccuracyBlocksLogAndErrorSample()
    {
        var id = await StartAsync(RunsTestHost.Flow(batches: 50, rows: 10, rejectEvery: 7));

        var run = await _host.WaitAsync(id);

        Assert.Equal(RunStatus.SucceededWithErrors, run.Status);
        Assert.Equal((500L, 428L, 72L), (run.RowsRead, run.RowsWritten, run.RowsRejected));
        Assert.Equal(85.6, run.Accuracy);
        Assert.Equal(_host.Node, run.Node);
        Assert.True(run.Started <= run.Ended && run.Heartbeat is not null);
        Assert.Null(run.Error);
        Assert.True(File.Exists(run.ErrorFilePath), run.ErrorFilePath);
        Assert.StartsWith(Path.Combine(_host.RunsFolder, run.Key), run.ErrorFilePath, StringComparison.Ordinal);
        var details = (await _host.History.GetAsync(id, CancellationToken.None))!;
        Assert.Equal([("gen", "test-generate", 428L, 72L, "Completed"), ("sink", "test-sink", 0L, 0L, "Completed")],
            details.Blocks.Select(b => (b.NodeId, b.BlockType, b.RowsOut, b.Rejected, b.State)));
        Assert.Equal(428, details.Blocks.Single(b => b.NodeId == "sink").RowsIn);
        Assert.Equal(72, details.Errors.Count);
        Assert.Equal(("gen", "TEST", "row 0 is bad", "gen.csv", 2L), (details.Errors[0].NodeId, details.Errors[0].Code, details.Errors[0].Message, details.Errors[0].SourceFile, details.Errors[0].SourceLine));
        Assert.Equal("""{"n":"7","text":"row 7"}""", details.Errors[1].Row);
        Assert.Contains(details.Log, l => l.Message.StartsWith("Run ended: SucceededWithErrors", StringComparison.Ordinal));
        Assert.Equal(0, details.LogLinesDropped);
    }

    [Fact]
    public async Task ExecuteAsync_KeepsOnlyTheFirstThousandRejectedRows()
    {
        var id = await StartAsync(RunsTestHost.Flow(batches: 30, rows: 100, rejectEvery: 1));

        var run = await _host.WaitAsync(id);

        Assert.Equal((RunStatus.SucceededWithErrors, 3000L, 0.0), (run.Status, run.RowsRejected, run.Accuracy!.Value));
        await using var db = _host.Db();
        var sequences = await db.RunErrors.Where(e => e.RunId == id).Select(e => e.Sequence).ToListAsync();
        Assert.True(sequences.Count == RunError.MaxPerRun, _host.Log.ToString());
        Assert.Equal(Enumerable.Range(1, RunError.MaxPerRun), sequences.Order());
    }

    [Fact]
    public async Task ExecuteAsync_EndsFailed_WithTheBlockThatFailedAndWhy()
    {
        var flow = new FlowBuilder()
            .Node("gen", "test-generate", new { batches = 10 })
            .Node("check", "test-fail", new { afterBatches = 2, message = "Column 'amount' is missing in bills.csv: add it to the file." })
            .Node("sink", "test-sink")
            .Link("gen:records", "check:records").Link("check:records", "sink:records")
            .Build() with { Name = "Failing " + Guid.NewGuid() };

        var run = await _host.WaitAsync(await StartAsync(flow));

        Assert.Equal((RunStatus.Failed, "check"), (run.Status, run.FailedNodeId));
        Assert.Contains("Column 'amount' is missing in bills.csv: add it to the file.", run.Error);
    }

    [Fact]
    public async Task ExecuteAsync_EndsFailed_ListingTheValidationIssues_WhenTheVersionIsInvalid()
    {
        var flow = new FlowBuilder().Node("a", "no-such-block").Build() with { Name = "Invalid " + Guid.NewGuid() };

        var run = await _host.WaitAsync(await StartAsync(flow));

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("The dataflow is not valid:", run.Error);
        Assert.Contains("Unknown block type 'no-such-block'", run.Error);
    }

    [Fact]
    public async Task ExecuteAsync_SavesCountsAndHeartbeatsWhileTheRunGoes()
    {
        var id = await StartAsync(RunsTestHost.Flow(forever: true, rows: 10, sinkDelayMs: 20));

        var first = await _host.WaitAsync(id, r => r.RowsRead > 0 && r.Status == RunStatus.Running);
        var later = await _host.WaitAsync(id, r => r.Heartbeat > first.Heartbeat && r.RowsRead > first.RowsRead);
        await using (var db = _host.Db())
            Assert.True(await db.RunBlockStats.AnyAsync(s => s.RunId == id && s.NodeId == "sink" && s.RowsIn > 0 && s.State == "Running"));
        await _host.Requests.CancelAsync(id, "asha", CancellationToken.None);

        Assert.Equal(RunStatus.Running, later.Status);
        Assert.Equal(RunStatus.Cancelled, (await _host.WaitAsync(id)).Status);
    }

    [Fact]
    public async Task CancelAsync_FromAnotherNode_StopsTheRunWithinSeconds_AndItEndsCancelled()
    {
        var id = await StartAsync(RunsTestHost.Flow(forever: true, sinkDelayMs: 10));
        await _host.WaitAsync(id, r => r.Status == RunStatus.Running);
        await using var other = new RunsTestHost(database, execute: false);

        Assert.True(await other.Requests.CancelAsync(id, "ravi", CancellationToken.None));
        var run = await _host.WaitAsync(id);

        // Measured on the run's own record, from the request to the end, not by this test's polling (late on a busy machine).
        Assert.InRange(run.Ended!.Value - run.CancelRequested!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.StartsWith("Cancelled by ravi at ", run.Error, StringComparison.Ordinal);
        Assert.Equal("ravi", run.CancelRequestedBy);
    }

    [Fact]
    public async Task ExecuteAsync_StopsWithoutOverwriting_WhenAnotherNodeDeclaredTheRunCutOff()
    {
        var id = await StartAsync(RunsTestHost.Flow(forever: true, sinkDelayMs: 10), InterruptedRunAction.None);
        await _host.WaitAsync(id, r => r.Status == RunStatus.Running);
        await using var other = new RunsTestHost(database, execute: false);

        Assert.Null(await other.Recovery.RecoverAsync(id, "Its node looked dead.", CancellationToken.None));
        await _host.Get<InProcessRunDispatcher>().WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var run = await _host.RunAsync(id);
        Assert.Equal((RunStatus.Interrupted, "Its node looked dead."), (run.Status, run.Error));
        Assert.Contains(_host.Log.Lines, l => l.Contains($"Run #{id} is no longer this node's", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StopAsync_OfTheHost_StopsTheRun_AndLeavesItRunningForRecovery()
    {
        var id = await StartAsync(RunsTestHost.Flow(forever: true, sinkDelayMs: 10));
        await _host.WaitAsync(id, r => r.Status == RunStatus.Running);

        await _host.Get<InProcessRunDispatcher>().StopAsync(CancellationToken.None);

        var run = await _host.RunAsync(id);
        Assert.Equal((RunStatus.Running, _host.Node), (run.Status, run.Node));
        Assert.Empty(_host.Get<InProcessRunDispatcher>().Running);
        Assert.Contains(_host.Log.Lines, l => l.Contains($"Run #{id} stopped because node {_host.Node} is shutting down", StringComparison.Ordinal));
        await using var restarted = new RunsTestHost(database, node: _host.Node, execute: false);
        Assert.Equal(1, await restarted.Create<RunRecoveryService>().SweepAsync(atStart: true, CancellationToken.None));
        Assert.Equal(RunStatus.Interrupted, (await _host.RunAsync(id)).Status);
    }

    [Fact]
    public void SuccessFile_IsTheFirstFileDeliveredDownstreamOfASucceededOutput()
    {
        var flow = new DataflowDefinition
        {
            Name = "x",
            Nodes = [],
            Edges =
            [
                new EdgeDefinition { From = "api:succeeded", To = "csv:records" },
                new EdgeDefinition { From = "csv:files", To = "out:files" },
                new EdgeDefinition { From = "read:records", To = "copy:records" },
            ],
        };

        var success = RunExecutor.SuccessFile(flow, [new DeliveredFile("copy", "/data/copy.csv"), new DeliveredFile("out", "/data/bills_delivered.csv"), new DeliveredFile("out", "/data/second.csv")]);

        Assert.Equal("/data/bills_delivered.csv", success);
        Assert.Null(RunExecutor.SuccessFile(flow, [new DeliveredFile("copy", "/data/copy.csv")]));
    }
}
