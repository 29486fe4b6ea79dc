using System.Text.Json;
using ConnectPlus.Engine.Model;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Tests.Web;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using ConnectPlus.Web.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectPlus.Tests.Scheduling;

/// <summary>The app as it ships (SQLite, in-memory Quartz store, the real run services): a manual run goes through Quartz.</summary>
public sealed class ManualRunTests : IClassFixture<ConnectPlusWebFactory>, IDisposable
{
    private readonly ConnectPlusWebFactory _app;
    private readonly TempFolder _temp = new();

    public ManualRunTests(ConnectPlusWebFactory app) => _app = app;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ManualRun_IsDispatchedAsAQuartzJob_AndSucceeds()
    {
        Directory.CreateDirectory(_temp["in"]);
        await File.WriteAllTextAsync(_temp["in/bills.csv"], "id\n1\n");
        var definition = new DataflowDefinition
        {
            Name = "copy",
            Nodes =
            [
                new() { Id = "source", Type = "local-folder-source", Settings = JsonSerializer.SerializeToNode(new { folder = _temp["in"] }, DataflowJson.Options)!.AsObject() },
                new() { Id = "destination", Type = "local-folder-destination", Settings = JsonSerializer.SerializeToNode(new { folder = _temp["out"] }, DataflowJson.Options)!.AsObject() },
            ],
            Edges = [EdgeDefinition.Link("source", "files", "destination", "files")],
        };
        var databases = _app.Services.GetRequiredService<IDbContextFactory<ConnectPlusDbContext>>();
        var dataflow = await SchedulingData.NewDataflowAsync(databases, DataflowJson.Serialize(definition));

        var result = await _app.Services.GetRequiredService<IRunRequests>().RequestAsync(new RunRequest(dataflow.Id, RunTrigger.Manual, "asha"), default);
        Run? run = null;
        await SchedulingData.EventuallyAsync(() =>
        {
            using var db = databases.CreateDbContext();
            run = db.Runs.AsNoTracking().Single(r => r.Id == result.RunId);
            return run.IsFinished;
        }, TimeSpan.FromSeconds(30), "the manual run to end");

        Assert.IsType<QuartzRunDispatcher>(_app.Services.GetRequiredService<IRunDispatcher>());
        Assert.Equal(RunStatus.Succeeded, run!.Status);
        Assert.Equal(RunTrigger.Manual, run.Trigger);
        Assert.True(File.Exists(_temp["out/bills.csv"]));
    }
}
