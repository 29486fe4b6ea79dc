using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Connections;
using ConnectPlus.Web.Features.Dataflows;
using ConnectPlus.Web.Features.Workspaces;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConnectPlus.Web.Hosting;

/// <summary>Persistence registrations: the database, its start-up migration, Data Protection keys, connections.</summary>
public static class ConnectPlusData
{
    /// <summary>Data Protection's application name: nodes and restarts share keys whatever folder they run from.</summary>
    public const string ApplicationName = "ConnectPlus";

    public static IHostApplicationBuilder AddConnectPlusData(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddConnectPlusData();
        // Before every other hosted service (Data Protection's key ring loader among them): they may read the database.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, DatabaseStartup>());
        return builder;
    }

    /// <summary>
    /// The services without the start-up step (the CLI and tests use this). Settings are read from
    /// <see cref="IConfiguration"/> when first needed, so a test host's overrides apply.
    /// </summary>
    public static IServiceCollection AddConnectPlusData(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => DatabaseSettings.From(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton(sp => new ConnectPlusDatabase(sp.GetRequiredService<DatabaseSettings>(), sp));
        services.TryAddSingleton<IDbContextFactory<ConnectPlusDbContext>>(sp => sp.GetRequiredService<ConnectPlusDatabase>());
        services.TryAddScoped(sp => sp.GetRequiredService<IDbContextFactory<ConnectPlusDbContext>>().CreateDbContext());

        // Keys in the database: every node that shares it, and every restart, decrypts what another encrypted.
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<ConnectPlusDbContext>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(ConnectionCatalog.Default);
        services.TryAddSingleton<ConnectionService>();
        services.TryAddScoped<CurrentWorkspace>();
        services.TryAddSingleton<WorkspaceDirectory>();
        // DataflowService validates definitions with the block catalog (AddConnectPlusEngine registers the same instance).
        services.TryAddSingleton(BlockCatalog.Default);
        services.TryAddSingleton<DataflowService>();
        services.TryAddScoped<IConnectionProvider, DatabaseConnectionProvider>();
        return services;
    }
}
