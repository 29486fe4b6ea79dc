using ConnectPlus.Tests.Data;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace ConnectPlus.Tests.Runs;

/// <summary>Retention: runs that ended before the cutoff go with their rows and folders; ledger and checkpoints stay.</summary>
public sealed class RunRetentionTests(SqliteTestDatabase database) : IClassFixture<SqliteTestDatabase>
{
    private static readonly DateTimeOffset Now = new(2026, 6, 30, 3, 0, 0, TimeSpan.Zero);

    private static async Task<long> EndedRunAsync(RunsTestHost host, int dataflowId, int versionId, RunStatus status, DateTimeOffset? ended)
    {
        await using var db = host.Db();
        var run = new Run { Key = RunKey.New(TimeProvider.System), DataflowId = dataflowId, DataflowVersionId = versionId, Status = status, Queued = Now.AddDays(-60), Ended = ended };
        run.BlockStats.Add(new RunBlockStat { NodeId = "gen", BlockType = "test-generate", State = "Completed" });
        run.Errors.Add(new RunError { Sequence = 1, NodeId = "gen", Code = "X", Message = "bad" });
        run.LogLines.Add(new RunLogLine { Sequence = 1, Message = "started", Time = Now });
        db.Runs.Add(run);
        db.ProcessedFiles.Add(new ProcessedFile { Location = "file:///in", Path = run.Key + ".csv", Size = 1, Modified = Now, RunKey = run.Key, Recorded = Now });
        db.Checkpoints.Add(new Checkpoint { Dataflow = "d", NodeId = "n", Source = run.Key, Batch = 0, Digest = "x", RunKey = run.Key, Acknowledged = Now });
        await db.SaveChangesAsync();
        Directory.CreateDirectory(Path.Combine(host.RunsFolder, run.Key));
        await File.WriteAllTextAsync(Path.Combine(host.RunsFolder, run.Key, "errors-gen.csv"), "n,error_code\n1,X\n");
        return run.Id;
    }

    [Fact]
    public async Task PurgeAsync_DeletesRunsEndedBeforeTheCutoff_WithTheirRowsAndFolders_ButKeepsLedgerAndCheckpoints()
    {
        var time = new FakeTimeProvider(Now);
        await using var host = new RunsTestHost(database, time: time, execute: false, settings: new Dictionary<string, string?> { ["Runs:RetentionDays"] = "30" });
        var (dataflowId, versionId, _) = await host.AddDataflowAsync(RunsTestHost.Flow());
        var old = await EndedRunAsync(host, dataflowId, versionId, RunStatus.Failed, Now.AddDays(-31));
        var recent = await EndedRunAsync(host, dataflowId, versionId, RunStatus.Succeeded, Now.AddDays(-29));
        var running = await EndedRunAsync(host, dataflowId, versionId, RunStatus.Running, null);
        var oldKey = (await host.RunAsync(old)).Key;

        var purged = await host.Create<RunRetentionService>().PurgeAsync(CancellationToken.None);

        Assert.True(purged >= 1);
        await using var db = host.Db();
        Assert.Equal([recent, running], await db.Runs.Where(r => r.DataflowId == dataflowId).OrderBy(r => r.Id).Select(r => r.Id).ToListAsync());
        Assert.False(await db.RunBlockStats.AnyAsync(s => s.RunId == old) || await db.RunErrors.AnyAsync(e => e.RunId == old) || await db.RunLogLines.AnyAsync(l => l.RunId == old));
        Assert.True(await db.RunLogLines.AnyAsync(l => l.RunId == recent));
        Assert.False(Directory.Exists(Path.Combine(host.RunsFolder, oldKey)));
        Assert.True(Directory.Exists(Path.Combine(host.RunsFolder, (await host.RunAsync(recent)).Key)));
        Assert.True(await db.ProcessedFiles.AnyAsync(f => f.RunKey == oldKey));
        Assert.True(await db.Checkpoints.AnyAsync(c => c.RunKey == oldKey));
    }

    [Fact]
    public async Task PurgeAsync_PurgesTheRunOnceTimeHasPassedTheCutoff()
    {
        var time = new FakeTimeProvider(Now);
        await using var host = new RunsTestHost(database, time: time, execute: false, settings: new Dictionary<string, string?> { ["Runs:RetentionDays"] = "7" });
        var (dataflowId, versionId, _) = await host.AddDataflowAsync(RunsTestHost.Flow());
        var run = await EndedRunAsync(host, dataflowId, versionId, RunStatus.Succeeded, Now.AddDays(-6));
        var retention = host.Create<RunRetentionService>();

        await retention.PurgeAsync(CancellationToken.None);
        var keptToday = await RunExistsAsync(host, run);
        time.Advance(TimeSpan.FromDays(2));
        await retention.PurgeAsync(CancellationToken.None);

        Assert.Equal((true, false), (keptToday, await RunExistsAsync(host, run)));
    }

    private static async Task<bool> RunExistsAsync(RunsTestHost host, long id)
    {
        await using var db = host.Db();
        return await db.Runs.AnyAsync(r => r.Id == id);
    }

    [Fact]
    public async Task PurgeAsync_KeepsEverything_WhenRetentionDaysIsZero()
    {
        await using var host = new RunsTestHost(database, time: new FakeTimeProvider(Now), execute: false, settings: new Dictionary<string, string?> { ["Runs:RetentionDays"] = "0" });
        var (dataflowId, versionId, _) = await host.AddDataflowAsync(RunsTestHost.Flow());
        var run = await EndedRunAsync(host, dataflowId, versionId, RunStatus.Succeeded, Now.AddYears(-1));

        Assert.Equal(0, await host.Create<RunRetentionService>().PurgeAsync(CancellationToken.None));
        Assert.Equal(RunStatus.Succeeded, (await host.RunAsync(run)).Status);
    }
}
