using ConnectPlus.Tests.Web;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;

namespace ConnectPlus.Tests.Scheduling;

/// <summary>
/// The web app on a throwaway SQLite database (in-memory Quartz store) with the run contracts replaced by recorders,
/// so that what Quartz fires can be seen; the misfire threshold is 1 s.
/// </summary>
public sealed class SchedulingWebFactory(DatabaseSettings? database = null, IReadOnlyDictionary<string, string>? settings = null) : IAsyncDisposable
{
    private readonly ConnectPlusWebFactory _app = new();

    internal RecordingRunRequests Requests { get; } = new();

    internal RecordingRunExecutor Executor { get; } = new();

    internal RecordingRunRecovery Recovery { get; } = new();

    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>? _configured;

    public IServiceProvider Services => App.Services;

    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> App => _configured ??= _app.WithWebHostBuilder(builder =>
    {
        builder.UseSetting("Scheduling:MisfireThresholdSeconds", "1");
        builder.UseSetting("Scheduling:MinimumPollIntervalSeconds", "1");
        if (database is not null)
        {
            builder.UseSetting("Database:Provider", database.Provider.ToString());
            builder.UseSetting("ConnectionStrings:ConnectPlus", database.ConnectionString);
        }
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
    });

    public IDbContextFactory<ConnectPlusDbContext> Databases => Services.GetRequiredService<IDbContextFactory<ConnectPlusDbContext>>();

    public Task<IScheduler> SchedulerAsync() => Services.GetRequiredService<ISchedulerFactory>().GetScheduler().AsTask();

    /// <summary>Stops the host as a shutdown does (hosted services stopped, the scheduler shut down).</summary>
    public async Task StopAsync() => await App.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_configured is not null) await _configured.DisposeAsync();
        await _app.DisposeAsync();
    }
}
