namespace ConnectPlus.Web.Data;

/// <summary>
/// Start-up step of the web host: creates the SQLite folder and applies pending migrations (unless
/// <c>Database:MigrateOnStart</c> is false) before anything reads the database. Several nodes may
/// start at once: EF Core takes a migration lock in the database, so one migrates and the others wait.
/// </summary>
internal sealed partial class DatabaseStartup(ConnectPlusDatabase database, ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = database.Settings;
        if (!settings.MigrateOnStart)
        {
            database.PrepareFolder();
            NotMigrated(settings);
            return;
        }
        var applied = await database.MigrateAsync(cancellationToken);
        Migrated(settings, applied);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database: {Database}; migrations not applied on start (Database:MigrateOnStart is false): run the migrate verb.")]
    private partial void NotMigrated(DatabaseSettings database);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database: {Database}; migrations applied: [{Migrations}]")]
    private partial void Migrated(DatabaseSettings database, IReadOnlyList<string> migrations);
}
