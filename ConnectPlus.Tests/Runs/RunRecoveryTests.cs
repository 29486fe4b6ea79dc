using ConnectPlus.Tests.Data;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace ConnectPlus.Tests.Runs;

/// <summary>Runs cut off by process death: Interrupted, then resumed, retried or left, per the dataflow's setting.</summary>
public sealed class RunRecoveryTests(SqliteTestDatabase database) : IClassFixture<SqliteTestDatabase>, IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private RunsTestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = new RunsTestHost(database, node: "web-01", time: _time, execute: false);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>A run left Running by <paramref name="node"/> with its last heartbeat at <paramref name="heartbeat"/>.</summary>
    private async Task<(long RunId, int DataflowId)> RunningAsync(string node, DateTimeOffset heartbeat, InterruptedRunAction onInterrupted = InterruptedRunAction.Resume)
    {
        var (dataflowId, _, _) = await _host.AddDataflowAsync(RunsTestHost.Flow(), onInterrupted: onInterrupted);
        var queued = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Schedule, "daily at 02:00"), CancellationToken.None);
        await using var db = _host.Db();
        await db.Runs.Where(r => r.Id == queued.RunId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, RunStatus.Running).SetProperty(r => r.Node, node)
            .SetProperty(r => r.Started, heartbeat).SetProperty(r => r.Heartbeat, heartbeat));
        return (queued.RunId!.Value, dataflowId);
    }

    [Fact]
    public async Task RecoverAsync_MarksTheRunInterrupted_AndQueuesItsResume_WithTheSameVersionAndTrigger()
    {
        var (runId, _) = await RunningAsync("web-02", _time.GetUtcNow());

        var next = await _host.Recovery.RecoverAsync(runId, "Node web-02 stopped.", CancellationToken.None);

        var old = await _host.RunAsync(runId);
        Assert.Equal((RunStatus.Interrupted, "Node web-02 stopped.", _time.GetUtcNow()), (old.Status, old.Error, old.Ended!.Value));
        var resume = await _host.RunAsync(next!.RunId!.Value);
        Assert.Equal((RunStatus.Queued, (long?)runId, RunTrigger.Schedule, "daily at 02:00", old.DataflowVersionId),
            (resume.Status, resume.ResumeOf, resume.Trigger, resume.TriggeredBy, resume.DataflowVersionId));
        Assert.Contains(resume.Id, _host.Dispatched.Runs);
        await using var db = _host.Db();
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == "run.interrupted" && a.EntityId == runId.ToString()));
    }

    [Fact]
    public async Task RecoverAsync_IsIdempotent_AndLeavesEndedRunsAlone()
    {
        var (runId, _) = await RunningAsync("web-02", _time.GetUtcNow());

        var first = await _host.Recovery.RecoverAsync(runId, "gone", CancellationToken.None);
        var second = await _host.Recovery.RecoverAsync(runId, "gone again", CancellationToken.None);
        var ofTheResume = await _host.Recovery.RecoverAsync(first!.RunId!.Value, "also gone", CancellationToken.None);

        Assert.Null(second);
        Assert.Equal("gone", (await _host.RunAsync(runId)).Error);
        Assert.NotNull(ofTheResume);
        await using var db = _host.Db();
        var dataflowId = (await _host.RunAsync(runId)).DataflowId;
        Assert.Equal(1, await db.Runs.CountAsync(r => r.DataflowId == dataflowId && r.Status == RunStatus.Queued));
    }

    [Fact]
    public async Task RecoverAsync_WithRetry_ForgetsTheCheckpointsOfTheRunAndOfTheRunsItResumed()
    {
        var (firstId, _) = await RunningAsync("web-02", _time.GetUtcNow(), InterruptedRunAction.Retry);
        var resumed = await _host.Recovery.RecoverAsync(firstId, "gone", CancellationToken.None);
        var secondId = resumed!.RunId!.Value;
        await using (var db = _host.Db())
        {
            await db.Runs.Where(r => r.Id == secondId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running).SetProperty(r => r.Node, "web-03"));
            var keys = new[] { (await _host.RunAsync(firstId)).Key, (await _host.RunAsync(secondId)).Key, "someone-else" };
            db.Checkpoints.AddRange(keys.Select((k, i) => new Checkpoint { Dataflow = "d", NodeId = "capillary", Source = "bills.csv", Batch = i, Digest = "x", RunKey = k, Acknowledged = _time.GetUtcNow() }));
            await db.SaveChangesAsync();
        }

        var retry = await _host.Recovery.RecoverAsync(secondId, "gone again", CancellationToken.None);

        Assert.True(retry!.IsQueued);
        await using var check = _host.Db();
        Assert.Equal(["someone-else"], await check.Checkpoints.Where(c => c.Dataflow == "d").Select(c => c.RunKey).ToListAsync());
    }

    [Fact]
    public async Task RecoverAsync_WithNone_LeavesTheRunInterrupted_AndQueuesNothing()
    {
        var (runId, dataflowId) = await RunningAsync("web-02", _time.GetUtcNow(), InterruptedRunAction.None);

        Assert.Null(await _host.Recovery.RecoverAsync(runId, "gone", CancellationToken.None));

        await using var db = _host.Db();
        Assert.Equal([RunStatus.Interrupted], await db.Runs.Where(r => r.DataflowId == dataflowId).Select(r => r.Status).ToListAsync());
    }

    [Fact]
    public async Task SweepAsync_AtStart_RecoversThisNodesRuns_AndStaleRunsOfOthers_ButNotLiveOnes()
    {
        var now = _time.GetUtcNow();
        var (mine, _) = await RunningAsync("web-01", now);
        var (stale, _) = await RunningAsync("web-02", now.AddSeconds(-3));
        var (live, _) = await RunningAsync("web-03", now.AddSeconds(-1));

        var recovered = await _host.Create<RunRecoveryService>().SweepAsync(atStart: true, CancellationToken.None);

        Assert.True(recovered >= 2);
        Assert.Equal((RunStatus.Interrupted, RunStatus.Interrupted, RunStatus.Running),
            ((await _host.RunAsync(mine)).Status, (await _host.RunAsync(stale)).Status, (await _host.RunAsync(live)).Status));
        Assert.Contains("Node web-01 stopped (crash, kill or restart) while running it", (await _host.RunAsync(mine)).Error);
        Assert.Contains("Node web-02 stopped sending heartbeats", (await _host.RunAsync(stale)).Error);
    }

    [Fact]
    public async Task SweepAsync_Later_LeavesThisNodesLiveRuns_AndRecoversThemOnceTheirHeartbeatIsStale()
    {
        var (mine, _) = await RunningAsync("web-01", _time.GetUtcNow());
        var sweeper = _host.Create<RunRecoveryService>();

        await sweeper.SweepAsync(atStart: false, CancellationToken.None);
        var before = (await _host.RunAsync(mine)).Status;
        _time.Advance(TimeSpan.FromSeconds(3));
        await sweeper.SweepAsync(atStart: false, CancellationToken.None);

        Assert.Equal((RunStatus.Running, RunStatus.Interrupted), (before, (await _host.RunAsync(mine)).Status));
    }

    [Fact]
    public async Task SweepAsync_RecoversAQueuedRunNobodyTook_OnceItsTimeoutPassed()
    {
        var (dataflowId, _, _) = await _host.AddDataflowAsync(RunsTestHost.Flow());
        var queued = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "asha"), CancellationToken.None);
        var sweeper = _host.Create<RunRecoveryService>();

        await sweeper.SweepAsync(atStart: true, CancellationToken.None);
        var before = (await _host.RunAsync(queued.RunId!.Value)).Status;
        _time.Advance(TimeSpan.FromMinutes(6));
        await sweeper.SweepAsync(atStart: false, CancellationToken.None);

        var after = await _host.RunAsync(queued.RunId.Value);
        Assert.Equal((RunStatus.Queued, RunStatus.Interrupted), (before, after.Status));
        Assert.StartsWith("No node took it within 300 s", after.Error, StringComparison.Ordinal);
    }
}
