using ConnectPlus.Engine.Delivery;
using ConnectPlus.Web.Features.Runs;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConnectPlus.Web.Hosting;

/// <summary>
/// Runs of the web host: requests, the in-process dispatcher (scheduling replaces it:
/// <c>services.Replace(ServiceDescriptor.Singleton&lt;IRunDispatcher, …&gt;())</c>), the executor, recovery of cut-off
/// runs, retention, run history, and the database ledger and checkpoints the runs use. The CLI keeps its files.
/// </summary>
public static class ConnectPlusRuns
{
    public static IHostApplicationBuilder AddConnectPlusRuns(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddConnectPlusRuns();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InProcessRunDispatcher>());
        builder.Services.AddHostedService<RunRecoveryService>();
        builder.Services.AddHostedService<RunRetentionService>();
        return builder;
    }

    /// <summary>The services without the background ones (tests use this). Needs the data and engine registrations.</summary>
    public static IServiceCollection AddConnectPlusRuns(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(RunsSettings.Section).Get<RunsSettings>() ?? new RunsSettings());
        services.TryAddSingleton(sp => RunNode.From(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton<IProcessedFileLedger, DatabaseProcessedFileLedger>();
        services.TryAddSingleton<ICheckpointStore, DatabaseCheckpointStore>();
        services.TryAddSingleton<InProcessRunDispatcher>();
        services.TryAddSingleton<IRunDispatcher>(sp => sp.GetRequiredService<InProcessRunDispatcher>());
        services.TryAddSingleton<IRunExecutor, RunExecutor>();
        services.TryAddSingleton<IRunRequests, RunRequests>();
        services.TryAddSingleton<IRunRecovery, RunRecovery>();
        services.TryAddSingleton<RunHistory>();
        return services;
    }
}
