using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Data;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectPlus.Tests.Runs;

/// <summary>The bounded run log: first 500 and last 500 lines kept in the database, the lines between counted.</summary>
public sealed class RunRecorderTests(SqliteTestDatabase database) : IClassFixture<SqliteTestDatabase>, IAsyncLifetime
{
    private RunsTestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = new RunsTestHost(database, execute: false);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(RunRecorder Recorder, long RunId)> RunningRecorderAsync()
    {
        var flow = RunsTestHost.Flow();
        var (dataflowId, _, _) = await _host.AddDataflowAsync(flow);
        var queued = await _host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Manual, "asha"), CancellationToken.None);
        await using var db = _host.Db();
        await db.Runs.Where(r => r.Id == queued.RunId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running).SetProperty(r => r.Node, _host.Node));
        var run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == queued.RunId);
        var recorder = new RunRecorder(_host.Database, run, flow, Tests.Harness.BlockHarness.Catalog, _host.Node, TimeSpan.FromHours(1), TimeProvider.System, NullLogger.Instance);
        return (recorder, run.Id);
    }

    private static void Write(RunRecorder recorder, int from, int to, RunLogLevel level = RunLogLevel.Info)
    {
        for (var i = from; i <= to; i++) recorder.OnLog(new RunLogEntry(DateTimeOffset.UtcNow, level, i % 2 == 0 ? "gen" : null, $"line {i}"));
    }

    [Fact]
    public async Task SaveAsync_KeepsTheFirstAndLastFiveHundredLines_AndCountsTheOthers_AcrossHeartbeats()
    {
        var (recorder, runId) = await RunningRecorderAsync();
        await using var _ = recorder;

        Write(recorder, 1, 700);
        await recorder.SaveAsync(heartbeat: true, CancellationToken.None);
        Write(recorder, 701, 1500);
        Write(recorder, 1, 50, RunLogLevel.Debug);
        await recorder.SaveAsync(heartbeat: true, CancellationToken.None);

        var details = (await _host.History.GetAsync(runId, CancellationToken.None))!;
        Assert.Equal(Enumerable.Range(1, 500).Concat(Enumerable.Range(1001, 500)).Select(i => $"line {i}"), details.Log.Select(l => l.Message));
        Assert.Equal(500, details.LogLinesDropped);
        Assert.Equal(("gen", RunLogLevel.Info), (details.Log[1].NodeId, details.Log[1].Level));
    }

    [Fact]
    public async Task SaveAsync_SeesACancelRequest_AndStopsTheRun()
    {
        var (recorder, runId) = await RunningRecorderAsync();
        await using var _ = recorder;

        Assert.True(await _host.Requests.CancelAsync(runId, "ravi", CancellationToken.None));
        await recorder.SaveAsync(heartbeat: true, CancellationToken.None);

        Assert.True(recorder.StopRequested.IsCancellationRequested);
        Assert.Equal("ravi", recorder.CancelledBy);
        Assert.False(recorder.Lost);
    }
}
