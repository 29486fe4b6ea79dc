using ConnectPlus.Tests.Data;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Tests.Runs;

public sealed class SqliteRunRequestsTests(SqliteTestDatabase database) : RunRequestsTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgreSqlRunRequestsTests(PostgreSqlTestDatabase database) : RunRequestsTests(database), IClassFixture<PostgreSqlTestDatabase>;

/// <summary>
/// Queuing, skipping and cancelling runs, and the rules the database keeps across nodes (one active run per
/// dataflow; conditional claims and recoveries), on SQLite and PostgreSQL. Each test has dataflows of its own.
/// </summary>
public abstract class RunRequestsTests(ITestDatabase database) : IAsyncLifetime
{
    private RunsTestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = new RunsTestHost(database, execute: false);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task RequestAsync_QueuesARunOfThePublishedVersion_AndHandsItToTheDispatcher()
    {
        var (dataflowId, versionId, _) = await _host.AddDataflowAsync(RunsTestHost.Flow());

        var result = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "asha"), CancellationToken.None);

        Assert.True(result.IsQueued, result.SkippedReason);
        var run = await _host.RunAsync(result.RunId!.Value);
        Assert.Equal((RunStatus.Queued, versionId, RunTrigger.Manual, "asha", (string?)null), (run.Status, run.DataflowVersionId, run.Trigger, run.TriggeredBy, run.Node));
        Assert.Matches(@"^\d{8}-\d{6}-[0-9a-f]{6}$", run.Key);
        Assert.Equal([run.Id], _host.Dispatched.Runs);
    }

    [Fact]
    public async Task RequestAsync_RunsTheVersionAskedFor_EvenADraft()
    {
        var (dataflowId, versionId, _) = await _host.AddDataflowAsync(RunsTestHost.Flow(), publish: false);

        var result = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Api, "ci", VersionId: versionId), CancellationToken.None);

        Assert.Equal(versionId, (await _host.RunAsync(result.RunId!.Value)).DataflowVersionId);
    }

    [Fact]
    public async Task RequestAsync_SaysWhy_WhenTheDataflowHasNoPublishedVersion()
    {
        var (dataflowId, _, _) = await _host.AddDataflowAsync(RunsTestHost.Flow(name: "Draft only " + Guid.NewGuid()), publish: false);

        var result = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "asha"), CancellationToken.None);

        Assert.False(result.IsQueued);
        Assert.Equal(RunSkipKind.NoPublishedVersion, result.Kind);
        Assert.Contains("has no published version: publish a version", result.SkippedReason);
        Assert.Empty(_host.Dispatched.Runs);
    }

    [Fact]
    public async Task RequestAsync_SaysWhy_WhenTheDataflowOrVersionDoesNotExist()
    {
        var (dataflowId, _, _) = await _host.AddDataflowAsync(RunsTestHost.Flow());

        var noDataflow = await _host.Requests.RequestAsync(new RunRequest(int.MaxValue, RunTrigger.Manual, "asha"), CancellationToken.None);
        var noVersion = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "asha", VersionId: int.MaxValue), CancellationToken.None);

        Assert.Equal((RunSkipKind.DataflowNotFound, RunSkipKind.VersionNotFound), (noDataflow.Kind, noVersion.Kind));
    }

    [Fact]
    public async Task RequestAsync_SkipsScheduleTriggers_OfAnInactiveDataflow_ButRunsItByHand()
    {
        var (dataflowId, _, _) = await _host.AddDataflowAsync(RunsTestHost.Flow(), active: false);

        var scheduled = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Schedule, "every 15 min"), CancellationToken.None);
        var manual = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "asha"), CancellationToken.None);

        Assert.Equal(RunSkipKind.DataflowInactive, scheduled.Kind);
        Assert.Contains("is inactive", scheduled.SkippedReason);
        Assert.True(manual.IsQueued);
    }

    [Fact]
    public async Task RequestAsync_SkipsASecondRun_WhileOneIsQueued_AndLogsAndAuditsWhy()
    {
        var (dataflowId, _, workspaceId) = await _host.AddDataflowAsync(RunsTestHost.Flow());
        var first = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "asha"), CancellationToken.None);

        var second = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Schedule, "hourly"), CancellationToken.None);

        Assert.False(second.IsQueued);
        Assert.Equal((RunSkipKind.AlreadyRunning, first.RunId), (second.Kind, second.ActiveRunId));
        Assert.StartsWith($"already running (run #{first.RunId}, queued ", second.SkippedReason, StringComparison.Ordinal);
        Assert.Contains(_host.Log.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains(second.SkippedReason!, StringComparison.Ordinal));
        await using var db = _host.Db();
        var audit = await db.AuditEntries.AsNoTracking().SingleAsync(a => a.WorkspaceId == workspaceId && a.Action == "run.skipped");
        Assert.Equal(("hourly", "Dataflow", dataflowId.ToString(System.Globalization.CultureInfo.InvariantCulture)), (audit.User, audit.EntityType, audit.EntityId));
        Assert.Contains("already running", audit.Details);
    }

    [Fact]
    public async Task RequestAsync_SaysStarted_WhenTheActiveRunIsRunning()
    {
        var (dataflowId, _, _) = await _host.AddDataflowAsync(RunsTestHost.Flow());
        var first = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "asha"), CancellationToken.None);
        await using (var db = _host.Db())
            await db.Runs.Where(r => r.Id == first.RunId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running).SetProperty(r => r.Started, DateTimeOffset.UtcNow));

        var second = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "ravi"), CancellationToken.None);

        Assert.StartsWith($"already running (run #{first.RunId}, started ", second.SkippedReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAsync_FromManyNodesAtOnce_QueuesExactlyOneRun()
    {
        var (dataflowId, _, _) = await _host.AddDataflowAsync(RunsTestHost.Flow());
        var nodes = Enumerable.Range(0, 4).Select(_ => new RunsTestHost(database, execute: false)).ToList();
        try
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
                Task.Run(() => nodes[i % nodes.Count].Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Schedule, $"fire {i}"), CancellationToken.None))));

            var queued = Assert.Single(results, r => r.IsQueued);
            Assert.All(results.Where(r => !r.IsQueued), r => Assert.Equal(RunSkipKind.AlreadyRunning, r.Kind));
            await using var db = _host.Db();
            Assert.Equal([queued.RunId!.Value], await db.Runs.Where(r => r.DataflowId == dataflowId).Select(r => r.Id).ToListAsync());
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Database_RefusesASecondQueuedOrRunningRunOfADataflow_WhoeverInsertsIt()
    {
        var (dataflowId, versionId, _) = await _host.AddDataflowAsync(RunsTestHost.Flow());
        Run NewRun(RunStatus status) => new() { Key = Guid.NewGuid().ToString("N"), DataflowId = dataflowId, DataflowVersionId = versionId, Status = status, Queued = DateTimeOffset.UtcNow };
        await using (var db = _host.Db())
        {
            db.Runs.AddRange(NewRun(RunStatus.Running), NewRun(RunStatus.Succeeded), NewRun(RunStatus.Interrupted));
            await db.SaveChangesAsync();
        }

        await using var second = _host.Db();
        second.Runs.Add(NewRun(RunStatus.Queued));
        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => second.SaveChangesAsync());

        Assert.True(DatabaseErrors.IsUniqueViolation(refused), refused.InnerException?.Message);
    }

    [Fact]
    public async Task CancelAsync_EndsAQueuedRunAtOnce_AndTheExecutorLeavesItAlone()
    {
        var (dataflowId, _, _) = await _host.AddDataflowAsync(RunsTestHost.Flow());
        var queued = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "asha"), CancellationToken.None);

        Assert.True(await _host.Requests.CancelAsync(queued.RunId!.Value, "ravi", CancellationToken.None));
        await _host.Executor.ExecuteAsync(queued.RunId.Value, CancellationToken.None);

        var run = await _host.RunAsync(queued.RunId.Value);
        Assert.Equal((RunStatus.Cancelled, "Cancelled by ravi before it started.", (string?)null), (run.Status, run.Error, run.Node));
        Assert.NotNull(run.Ended);
        Assert.Contains(_host.Log.Lines, l => l.Contains($"Run #{run.Id} is not Queued any more", StringComparison.Ordinal));
        Assert.False(await _host.Requests.CancelAsync(run.Id, "ravi", CancellationToken.None));
    }

    [Fact]
    public async Task ExecuteAsync_FromManyNodesAtOnce_RunsTheRunOnOneNodeOnly()
    {
        var (dataflowId, _, _) = await _host.AddDataflowAsync(RunsTestHost.Flow(batches: 3));
        var queued = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "asha"), CancellationToken.None);
        var nodes = Enumerable.Range(0, 4).Select(_ => new RunsTestHost(database, execute: false)).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(n => Task.Run(() => n.Executor.ExecuteAsync(queued.RunId!.Value, CancellationToken.None))));

            var run = await _host.RunAsync(queued.RunId!.Value);
            Assert.Equal(RunStatus.Succeeded, run.Status);
            var ran = Assert.Single(nodes, n => n.Probe.Received.Count > 0);
            Assert.Equal(ran.Node, run.Node);
            Assert.Equal(30, ran.Probe.Received.Single().Rows);
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task RecoverAsync_FromManyNodesAtOnce_InterruptsOnce_AndQueuesOneResume()
    {
        var (dataflowId, _, _) = await _host.AddDataflowAsync(RunsTestHost.Flow());
        var queued = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Schedule, "hourly"), CancellationToken.None);
        await using (var db = _host.Db())
            await db.Runs.Where(r => r.Id == queued.RunId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running).SetProperty(r => r.Node, "dead-node"));
        var nodes = Enumerable.Range(0, 4).Select(_ => new RunsTestHost(database, execute: false)).ToList();
        try
        {
            var results = await Task.WhenAll(nodes.Select(n => Task.Run(() => n.Recovery.RecoverAsync(queued.RunId!.Value, "dead-node died.", CancellationToken.None))));

            var resumed = Assert.Single(results, r => r is not null)!;
            Assert.True(resumed.IsQueued, resumed.SkippedReason);
            var old = await _host.RunAsync(queued.RunId!.Value);
            var next = await _host.RunAsync(resumed.RunId!.Value);
            Assert.Equal((RunStatus.Interrupted, "dead-node died."), (old.Status, old.Error));
            Assert.Equal((RunStatus.Queued, (long?)old.Id, RunTrigger.Schedule, "hourly", old.DataflowVersionId), (next.Status, next.ResumeOf, next.Trigger, next.TriggeredBy, next.DataflowVersionId));
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }
}
