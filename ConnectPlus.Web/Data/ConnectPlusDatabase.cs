using ConnectPlus.Web.Data.Providers;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Data;

/// <summary>
/// Opens the configured database: creates <see cref="ConnectPlusDbContext"/>s of the configured
/// provider's subclass (so that provider's migrations apply), prepares the SQLite folder and migrates.
/// Registered as <c>IDbContextFactory&lt;ConnectPlusDbContext&gt;</c>.
/// </summary>
/// <param name="settings">Which database.</param>
/// <param name="applicationServices">The host's services: EF Core logs through them, as with AddDbContext.</param>
public sealed class ConnectPlusDatabase(DatabaseSettings settings, IServiceProvider? applicationServices = null) : IDbContextFactory<ConnectPlusDbContext>
{
    private readonly DbContextOptions _options = BuildOptions(settings, applicationServices);

    public DatabaseSettings Settings { get; } = settings;

    public ConnectPlusDbContext CreateDbContext() => Create(Settings.Provider, _options);

    /// <summary>A context without a host (design-time factories, tools).</summary>
    public static ConnectPlusDbContext CreateContext(DatabaseSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Create(settings.Provider, BuildOptions(settings, null));
    }

    /// <summary>Creates the SQLite file's folder, then applies the migrations the database lacks; returns their names.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        PrepareFolder();
        await using var context = CreateDbContext();
        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        // EF Core creates a SQLite file in write-ahead-log mode: the UI reads while runs write.
        await context.Database.MigrateAsync(cancellationToken);
        return pending;
    }

    /// <summary>SQLite does not create folders: make the database file's one.</summary>
    public void PrepareFolder()
    {
        if (Settings.SqliteFile is { } file) Directory.CreateDirectory(Path.GetDirectoryName(file)!);
    }

    private static ConnectPlusDbContext Create(DatabaseProvider provider, DbContextOptions options) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteConnectPlusDbContext((DbContextOptions<SqliteConnectPlusDbContext>)options),
        DatabaseProvider.SqlServer => new SqlServerConnectPlusDbContext((DbContextOptions<SqlServerConnectPlusDbContext>)options),
        DatabaseProvider.PostgreSql => new PostgreSqlConnectPlusDbContext((DbContextOptions<PostgreSqlConnectPlusDbContext>)options),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    private static DbContextOptions BuildOptions(DatabaseSettings settings, IServiceProvider? applicationServices)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Provider switch
        {
            DatabaseProvider.Sqlite => Configure(new DbContextOptionsBuilder<SqliteConnectPlusDbContext>()
                .UseSqlite(settings.ConnectionString), applicationServices),
            DatabaseProvider.SqlServer => Configure(new DbContextOptionsBuilder<SqlServerConnectPlusDbContext>()
                .UseSqlServer(settings.ConnectionString), applicationServices),
            DatabaseProvider.PostgreSql => Configure(new DbContextOptionsBuilder<PostgreSqlConnectPlusDbContext>()
                .UseNpgsql(settings.ConnectionString), applicationServices),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Provider, null),
        };
    }

    private static DbContextOptions<T> Configure<T>(DbContextOptionsBuilder<T> builder, IServiceProvider? applicationServices) where T : DbContext
    {
        if (applicationServices is not null) builder.UseApplicationServiceProvider(applicationServices);
        return builder.Options;
    }
}
