using ConnectPlus.Web.Features.Dataflows;
using ConnectPlus.Engine.Blocks.Sources;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using ConnectPlus.Web.Scheduling;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Quartz;

namespace ConnectPlus.Web.Hosting;

/// <summary>
/// Scheduling with Quartz in this process (Scheduling/, docs/scheduling.md): the in-memory job store on SQLite (one
/// node), the clustered ADO.NET job store on SQL Server and PostgreSQL (several nodes share schedules and runs; the
/// Quartz tables come with the EF Core migrations). Queued runs become Quartz jobs (<see cref="QuartzRunDispatcher"/>).
/// Call after the runs registrations: it replaces their in-process dispatcher.
/// </summary>
public static class ConnectPlusScheduling
{
    public static IHostApplicationBuilder AddConnectPlusScheduling(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection(SchedulingSettings.Section).Get<SchedulingSettings>() ?? new SchedulingSettings();
        var problems = settings.Problems().ToList();
        if (problems.Count > 0) throw new InvalidOperationException(string.Join(" ", problems) + " (appsettings.json)");
        var services = builder.Services;
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new FileArrivalProbe(sp.GetService<BlockCatalog>() ?? BlockCatalog.Default));
        services.AddScoped<FileArrivalCheck>();
        if (!settings.Enabled)
        {
            services.AddSingleton(sp => new ScheduleService(sp.GetRequiredService<IDbContextFactory<ConnectPlusDbContext>>(), settings, sp.GetRequiredService<TimeProvider>(), null));
            return builder;
        }

        var database = DatabaseSettings.From(builder.Configuration);
        var clustered = settings.IsClustered(database.Provider);
        if (clustered && database.Provider == DatabaseProvider.Sqlite)
            throw new InvalidOperationException("Scheduling:Clustered is true but Database:Provider is Sqlite: clustering needs SqlServer or PostgreSql (several nodes sharing one database). Remove Scheduling:Clustered or change the database.");
        services.AddQuartz(quartz => ConfigureQuartz(quartz, settings, database, clustered));
        services.AddSingleton<ScheduleTriggers>();
        services.AddSingleton(sp => new ScheduleService(sp.GetRequiredService<IDbContextFactory<ConnectPlusDbContext>>(), settings,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ScheduleTriggers>()));
        // Activating, deactivating or deleting a dataflow (DataflowService) re-syncs its schedules' triggers at once.
        services.AddSingleton<IDataflowScheduleSync>(sp => sp.GetRequiredService<ScheduleService>());
        services.RemoveAll<IRunDispatcher>();
        services.AddSingleton<IRunDispatcher, QuartzRunDispatcher>();
        // The in-process dispatcher is not used now: its hosted service (which only waits for its own runs on stop) goes too.
        foreach (var idle in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationFactory?.Method.ReturnType == typeof(InProcessRunDispatcher)).ToList())
            services.Remove(idle);
        services.AddHostedService<ScheduleStartup>();
        // Shutdown asks running runs to stop (their token) and waits for them to unwind (see ConfigureQuartz).
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder;
    }

    private static void ConfigureQuartz(IQuartzBuilder quartz, SchedulingSettings settings, DatabaseSettings database, bool clustered)
    {
        quartz.ConfigureScheduler(scheduler =>
        {
            scheduler.InstanceName = "ConnectPlus";
            scheduler.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
            scheduler.DefaultMisfireHandling = DefaultMisfireHandling.FireAndProceed;
        });
        quartz.UseDefaultThreadPool(settings.MaxConcurrentRuns);
        var misfireThreshold = TimeSpan.FromSeconds(settings.MisfireThresholdSeconds);
        if (!clustered)
        {
            quartz.UseInMemoryStore(store => store.MisfireThreshold = misfireThreshold);
            return;
        }
        quartz.UsePersistentStore(store =>
        {
            if (database.Provider == DatabaseProvider.PostgreSql) store.UsePostgres(NpgsqlFactory.Instance, database.ConnectionString);
            else store.UseSqlServer(SqlClientFactory.Instance, database.ConnectionString);
            // Instance id AUTO: clustering derives a unique one per node.
            store.UseClustering(cluster =>
            {
                cluster.CheckinInterval = TimeSpan.FromSeconds(settings.CheckinIntervalSeconds);
                cluster.CheckinMisfireThreshold = TimeSpan.FromSeconds(settings.CheckinMisfireThresholdSeconds);
            });
            store.ConfigureStore(options =>
            {
                options.MisfireThreshold = misfireThreshold;
                // A run stopped by a node's shutdown is handed to another node (or this one on restart) as a recovery: it resumes.
                options.RecoverFiringsCancelledByShutdown = true;
            });
        });
    }
}
