using ConnectPlus.Tests.Harness;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;

namespace ConnectPlus.Tests.Scheduling;

/// <summary>
/// The web app on a throwaway SQLite database (in-memory Quartz store), or on the database given (PostgreSQL: the
/// clustered store), with the run contracts replaced by recorders so that what Quartz fires can be seen. The misfire
/// threshold and the minimum poll interval are 1 s.
/// </summary>
public sealed class SchedulingWebFactory(DatabaseSettings? database = null, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    private readonly TempFolder _folder = new();

    internal RecordingRunRequests Requests { get; } = new();

    internal RecordingRunExecutor Executor { get; } = new();

    internal RecordingRunRecovery Recovery { get; } = new();

    public IDbContextFactory<ConnectPlusDbContext> Databases => Services.GetRequiredService<IDbContextFactory<ConnectPlusDbContext>>();

    public Task<IScheduler> SchedulerAsync() => Services.GetRequiredService<ISchedulerFactory>().GetScheduler().AsTask();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:Provider", (database?.Provider ?? DatabaseProvider.Sqlite).ToString());
        builder.UseSetting("ConnectionStrings:ConnectPlus", database?.ConnectionString ?? $"Data Source={_folder["data/connectplus.db"]}");
        builder.UseSetting("Scheduling:MisfireThresholdSeconds", "1");
        builder.UseSetting("Scheduling:MinimumPollIntervalSeconds", "1");
        builder.UseSetting("Runs:RecoverCutOffRuns", "false");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IRunRequests>();
            services.RemoveAll<IRunExecutor>();
            services.RemoveAll<IRunRecovery>();
            services.AddSingleton<IRunRequests>(Requests);
            services.AddSingleton<IRunExecutor>(Executor);
            services.AddSingleton<IRunRecovery>(Recovery);
        });
    }

    /// <summary>Stops the host as a shutdown does (hosted services stopped, the scheduler shut down).</summary>
    public async Task StopAsync() => await base.DisposeAsync();

    public override async ValueTask DisposeAsync()
    {
        // Once only: the base stops the host the first time and does nothing after.
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
