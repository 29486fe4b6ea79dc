using ConnectPlus.Tests.Harness;
using ConnectPlus.Web.Data;
using Npgsql;

namespace ConnectPlus.Tests.Data;

/// <summary>A database of one provider for one test class, created (and migrated) fresh and removed afterwards.</summary>
public interface ITestDatabase : IAsyncLifetime, IAsyncDisposable
{
    DatabaseSettings Settings { get; }

    ConnectPlusDatabase Database { get; }
}

/// <summary>A migrated SQLite file in a temp folder.</summary>
public sealed class SqliteTestDatabase : ITestDatabase
{
    private readonly TempFolder _folder = new();

    public SqliteTestDatabase()
    {
        File = _folder["data/connectplus.db"];
        Settings = new DatabaseSettings { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={File}" };
        Database = new ConnectPlusDatabase(Settings);
    }

    public string File { get; }

    public DatabaseSettings Settings { get; }

    public ConnectPlusDatabase Database { get; }

    public async Task InitializeAsync() => await Database.MigrateAsync();

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public Task DisposeAsync()
    {
        // Pooled connections keep the file open; release them before the folder goes.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// A migrated database of its own on the PostgreSQL server that test.sh starts (connection string in
/// <see cref="ServerVariable"/>). Without that server the tests fail: they do not skip.
/// </summary>
public sealed class PostgreSqlTestDatabase : ITestDatabase
{
    /// <summary>Environment variable with the connection string of the test server (test.sh sets it).</summary>
    public const string ServerVariable = "CONNECTPLUS_TEST_POSTGRES";

    private readonly string _name = "connectplus_test_" + Guid.NewGuid().ToString("N")[..12];

    public DatabaseSettings Settings { get; private set; } = null!;

    public ConnectPlusDatabase Database { get; private set; } = null!;

    /// <summary>The test server's connection string; throws (the test fails) when test.sh did not provide one.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{ServerVariable} is not set: these tests need the PostgreSQL server that ./test.sh installs and starts (run ./test.sh, or export {ServerVariable}=\"Host=127.0.0.1;Port=…;Username=postgres\").");

    public async Task InitializeAsync()
    {
        await ExecuteOnServerAsync($"CREATE DATABASE \"{_name}\"");
        var builder = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = _name };
        Settings = new DatabaseSettings { Provider = DatabaseProvider.PostgreSql, ConnectionString = builder.ConnectionString };
        Database = new ConnectPlusDatabase(Settings);
        await Database.MigrateAsync();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public async Task DisposeAsync()
    {
        if (Database is null) return; // never created: InitializeAsync failed first
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
