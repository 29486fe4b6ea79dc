using ConnectPlus.Tests.Harness;
using ConnectPlus.Tests.Web;
using ConnectPlus.Web.Cli;
using ConnectPlus.Web.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectPlus.Tests.Data;

/// <summary>Where the database is, and that the web host and the migrate verb create it.</summary>
public sealed class DatabaseStartupTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public async Task Startup_CreatesDataConnectplusDb_InTheWorkingFolder_ByDefault()
    {
        var settings = DatabaseSettings.From(Configuration(), workingFolder: _folder.Path);
        var startup = new DatabaseStartup(new ConnectPlusDatabase(settings), NullLogger<DatabaseStartup>.Instance);

        await startup.StartAsync(CancellationToken.None);

        Assert.Equal(DatabaseProvider.Sqlite, settings.Provider);
        Assert.Equal(_folder["data/connectplus.db"], settings.SqliteFile);
        Assert.True(File.Exists(_folder["data/connectplus.db"]));
        await using var context = new ConnectPlusDatabase(settings).CreateDbContext();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task Startup_OnlyCreatesTheFolder_WhenMigrateOnStartIsFalse()
    {
        var settings = DatabaseSettings.From(Configuration(("Database:MigrateOnStart", "false")), workingFolder: _folder.Path);

        await new DatabaseStartup(new ConnectPlusDatabase(settings), NullLogger<DatabaseStartup>.Instance).StartAsync(CancellationToken.None);

        Assert.True(Directory.Exists(_folder["data"]));
        Assert.False(File.Exists(_folder["data/connectplus.db"]));
    }

    [Fact]
    public async Task WebHost_CreatesAndMigratesItsConfiguredDatabase_OnStart()
    {
        await using var factory = new ConnectPlusWebFactory();

        using var client = factory.CreateClient();

        Assert.True(File.Exists(factory.DatabaseFile));
        var database = factory.Services.GetRequiredService<ConnectPlusDatabase>();
        Assert.Equal(factory.DatabaseFile, database.Settings.SqliteFile);
        await using var context = database.CreateDbContext();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.Equal(1, await context.DataProtectionKeys.CountAsync()); // the key ring was created in the database
    }

    [Fact]
    public void Settings_SayWhatToFix_WhenTheProviderIsUnknown_OrItsConnectionStringMissing()
    {
        var unknown = Assert.Throws<InvalidOperationException>(() => DatabaseSettings.From(Configuration(("Database:Provider", "Oracle"))));
        var missing = Assert.Throws<InvalidOperationException>(() => DatabaseSettings.From(Configuration(("Database:Provider", "postgresql"))));
        var migrate = Assert.Throws<InvalidOperationException>(() => DatabaseSettings.From(Configuration(("Database:MigrateOnStart", "yes"))));

        Assert.Equal("Database:Provider is 'Oracle' in appsettings.json; use Sqlite, SqlServer or PostgreSql.", unknown.Message);
        Assert.StartsWith("Database:Provider is PostgreSql: set ConnectionStrings:ConnectPlus", missing.Message);
        Assert.Equal("Database:MigrateOnStart is 'yes' in appsettings.json; use true or false.", migrate.Message);
    }

    [Fact]
    public void Settings_NeverShowTheConnectionStringsPassword()
    {
        var settings = DatabaseSettings.From(Configuration(("Database:Provider", "PostgreSql"), ("ConnectionStrings:ConnectPlus", "Host=db.internal;Database=cp;Username=cp;Password=hunter2")));

        Assert.Equal("PostgreSQL db.internal, database cp", settings.Describe());
        Assert.DoesNotContain("hunter2", settings.ToString());
    }

    [Fact]
    public async Task MigrateVerb_CreatesTheDatabase_ThenFindsItUpToDate()
    {
        var file = _folder["nested/db/connectplus.db"];
        var configuration = Configuration(("ConnectionStrings:ConnectPlus", $"Data Source={file}"));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var first = await MigrateCommand.ExecuteAsync([], configuration, output, error);
        var second = await MigrateCommand.ExecuteAsync([], configuration, output, error);

        Assert.Equal((CliCommands.Success, CliCommands.Success, ""), (first, second, error.ToString()));
        Assert.True(File.Exists(file));
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"Database: SQLite {file}", lines[0]);
        Assert.Matches(@"^Applied \d+ migration\(s\): \d{14}_Initial(, \d{14}_\w+)*\.$", lines[1]);
        Assert.Equal("Up to date: no migration to apply.", lines[3]);
    }

    [Fact]
    public async Task MigrateVerb_ExitsWithUsageError_OnAnOption_OrABadProvider()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var option = await MigrateCommand.ExecuteAsync(["--force"], Configuration(), output, error);
        var provider = await MigrateCommand.ExecuteAsync([], Configuration(("Database:Provider", "Oracle")), output, error);

        Assert.Equal((CliCommands.UsageError, CliCommands.UsageError), (option, provider));
        Assert.Contains("migrate takes no options (got '--force')", error.ToString());
        Assert.Contains("Database:Provider is 'Oracle'", error.ToString());
    }

    [Fact]
    public async Task MigrateVerb_FailsWithExitCode1_WhenTheServerCannotBeReached()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        // A port nothing listens on: connecting is refused at once.
        var configuration = Configuration(("Database:Provider", "PostgreSql"), ("ConnectionStrings:ConnectPlus", "Host=127.0.0.1;Port=1;Database=cp;Username=cp;Timeout=5"));

        var code = await MigrateCommand.ExecuteAsync([], configuration, output, error);

        Assert.Equal(CliCommands.RunFailed, code);
        Assert.StartsWith("Cannot migrate PostgreSQL 127.0.0.1, database cp:", error.ToString());
    }
}
