using ConnectPlus.Tests.Data;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;

namespace ConnectPlus.Tests.Runs;

/// <summary>The read side of run history: filters, paging, details.</summary>
public sealed class RunHistoryTests(SqliteTestDatabase database) : IClassFixture<SqliteTestDatabase>
{
    [Fact]
    public async Task ListAsync_FiltersByDataflowStatusAndTrigger_NewestFirst_InPages()
    {
        await using var host = new RunsTestHost(database);
        var (dataflowId, _, workspaceId) = await host.AddDataflowAsync(RunsTestHost.Flow(batches: 1));
        var (otherId, _, _) = await host.AddDataflowAsync(RunsTestHost.Flow(batches: 1));
        var ids = new List<long>();
        foreach (var trigger in new[] { RunTrigger.Manual, RunTrigger.Schedule, RunTrigger.Manual })
        {
            var queued = await host.Requests.RequestAsync(new RunRequest(dataflowId, trigger, "asha"), CancellationToken.None);
            ids.Add((await host.WaitAsync(queued.RunId!.Value)).Id);
        }
        await host.WaitAsync((await host.Requests.RequestAsync(new RunRequest(otherId, RunTrigger.Manual, "asha"), CancellationToken.None)).RunId!.Value);

        var page1 = await host.History.ListAsync(new RunQuery { DataflowId = dataflowId, Take = 2 }, CancellationToken.None);
        var page2 = await host.History.ListAsync(new RunQuery { DataflowId = dataflowId, Take = 2, Skip = 2 }, CancellationToken.None);
        var manual = await host.History.ListAsync(new RunQuery { WorkspaceId = workspaceId, Trigger = RunTrigger.Manual, Statuses = [RunStatus.Succeeded] }, CancellationToken.None);
        var failed = await host.History.ListAsync(new RunQuery { DataflowId = dataflowId, Statuses = [RunStatus.Failed] }, CancellationToken.None);

        Assert.Equal(3, page1.Total);
        Assert.Equal([ids[2], ids[1]], page1.Runs.Select(r => r.Id));
        Assert.Equal([ids[0]], page2.Runs.Select(r => r.Id));
        Assert.Equal([ids[2], ids[0]], manual.Runs.Select(r => r.Id));
        Assert.Empty(failed.Runs);
        var run = page1.Runs[0];
        Assert.Equal((1, RunStatus.Succeeded, 10L, host.Node), (run.VersionNumber, run.Status, run.RowsRead, run.Node));
        Assert.NotNull(run.Duration);
    }

    [Fact]
    public async Task GetAsync_ReturnsNull_ForAnUnknownRun_AndFindByKey_FindsARun()
    {
        await using var host = new RunsTestHost(database, execute: false);
        var (dataflowId, _, _) = await host.AddDataflowAsync(RunsTestHost.Flow());
        var queued = await host.Requests.RequestAsync(new RunRequest(dataflowId, RunTrigger.Api, "ci"), CancellationToken.None);
        var key = (await host.RunAsync(queued.RunId!.Value)).Key;

        Assert.Null(await host.History.GetAsync(long.MaxValue, CancellationToken.None));
        Assert.Equal(queued.RunId, await host.History.FindByKeyAsync(key, CancellationToken.None));
        Assert.Equal(RunStatus.Queued, (await host.History.GetAsync(queued.RunId!.Value, CancellationToken.None))!.Run.Status);
    }
}
