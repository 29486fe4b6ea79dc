using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Tests.Data;

/// <summary>Every provider's migrations cover the model; SQLite's and PostgreSQL's apply to real databases.</summary>
public sealed class MigrationTests
{
    /// <summary>Tables the model maps; a migration that forgot one fails the apply tests.</summary>
    private static readonly string[] Tables =
    [
        "Workspaces", "Dataflows", "DataflowVersions", "Connections", "Schedules", "Runs", "RunBlockStats", "RunErrors", "RunLogLines",
        "ProcessedFiles", "Checkpoints", "AlertRules", "Alerts", "AuditEntries", "DataProtectionKeys",
    ];

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.SqlServer, DatabaseProvider.PostgreSql];

    // SQL Server cannot run on this machine: its check compares the model with its migrations' snapshot only,
    // which needs no server. SQLite and PostgreSQL are also applied to real databases below.
    [Theory]
    [MemberData(nameof(Providers))]
    public void Model_HasNoChangesThatNoMigrationCovers(DatabaseProvider provider)
    {
        using var context = ConnectPlusDatabase.CreateContext(DesignTimeSettings(provider));

        Assert.NotEmpty(context.Database.GetMigrations());
        Assert.False(context.Database.HasPendingModelChanges(),
            $"The model has changes that no {provider} migration covers: add one per provider (docs/database.md).");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Migrations_OfEachProvider_AreItsOwn(DatabaseProvider provider)
    {
        using var context = ConnectPlusDatabase.CreateContext(DesignTimeSettings(provider));

        var assembly = typeof(ConnectPlusDatabase).Assembly;
        var own = assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Microsoft.EntityFrameworkCore.Migrations.Migration)) && t.Namespace!.EndsWith("." + provider, StringComparison.Ordinal))
            .Select(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).Cast<Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute>().Single().Id);
        Assert.Equal(own.Order(), context.Database.GetMigrations().Order());
    }

    [Fact]
    public async Task Migrate_CreatesEveryTable_InANewSqliteFile()
    {
        await using var database = new SqliteTestDatabase();

        await database.InitializeAsync();

        Assert.True(File.Exists(database.File));
        Assert.Equal(Tables.Order(), (await TableNamesAsync(database.Database)).Intersect(Tables).Order());
        await AssertUpToDateAsync(database.Database);
    }

    [Fact]
    public async Task Migrate_CreatesEveryTable_OnPostgreSql()
    {
        await using var database = new PostgreSqlTestDatabase();

        await database.InitializeAsync();

        Assert.Equal(Tables.Order(), (await TableNamesAsync(database.Database)).Intersect(Tables).Order());
        await AssertUpToDateAsync(database.Database);
    }

    [Fact]
    public async Task Migrate_AppliesNothing_WhenTheDatabaseIsUpToDate()
    {
        await using var database = new SqliteTestDatabase();
        await database.InitializeAsync();

        var applied = await database.Database.MigrateAsync();

        Assert.Empty(applied);
    }

    private static async Task AssertUpToDateAsync(ConnectPlusDatabase database)
    {
        await using var context = database.CreateDbContext();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.Equal(context.Database.GetMigrations(), await context.Database.GetAppliedMigrationsAsync());
    }

    private static async Task<List<string>> TableNamesAsync(ConnectPlusDatabase database)
    {
        await using var context = database.CreateDbContext();
        var sql = database.Settings.Provider == DatabaseProvider.Sqlite
            ? "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'table'"
            : "SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public'";
        return await context.Database.SqlQueryRaw<string>(sql).ToListAsync();
    }

    internal static DatabaseSettings DesignTimeSettings(DatabaseProvider provider) => new()
    {
        Provider = provider,
        ConnectionString = provider switch
        {
            DatabaseProvider.Sqlite => "Data Source=:memory:",
            DatabaseProvider.SqlServer => "Server=localhost;Database=ConnectPlus;Integrated Security=true",
            _ => "Host=localhost;Database=connectplus",
        },
    };
}
