using Microsoft.Data.Sqlite;

namespace ConnectPlus.Web.Data;

/// <summary>The database engines Connect+ runs on.</summary>
public enum DatabaseProvider
{
    /// <summary>A file on one machine (the default).</summary>
    Sqlite,
    /// <summary>Microsoft SQL Server, shared by several nodes.</summary>
    SqlServer,
    /// <summary>PostgreSQL, shared by several nodes.</summary>
    PostgreSql,
}

/// <summary>
/// Which database to use: <c>Database:Provider</c> and <c>ConnectionStrings:ConnectPlus</c> in
/// appsettings.json, plus <c>Database:MigrateOnStart</c>.
/// </summary>
public sealed record DatabaseSettings
{
    /// <summary>The default: a SQLite file in ./data of the working folder.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=./data/connectplus.db";

    public DatabaseProvider Provider { get; init; } = DatabaseProvider.Sqlite;

    public string ConnectionString { get; init; } = DefaultSqliteConnectionString;

    /// <summary>Apply pending migrations when the web host starts (the <c>migrate</c> verb does it on demand).</summary>
    public bool MigrateOnStart { get; init; } = true;

    /// <summary>
    /// Reads the settings from configuration, with messages that say what to fix. A relative SQLite
    /// path is made absolute against <paramref name="workingFolder"/> (default: the current folder), once.
    /// </summary>
    public static DatabaseSettings From(IConfiguration configuration, string? workingFolder = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Database");
        var providerText = section["Provider"];
        var provider = DatabaseProvider.Sqlite;
        if (!string.IsNullOrWhiteSpace(providerText) && !Enum.TryParse(providerText, ignoreCase: true, out provider))
            throw new InvalidOperationException($"Database:Provider is '{providerText}' in appsettings.json; use Sqlite, SqlServer or PostgreSql.");
        var connectionString = configuration.GetConnectionString("ConnectPlus");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (provider != DatabaseProvider.Sqlite)
                throw new InvalidOperationException($"Database:Provider is {provider}: set ConnectionStrings:ConnectPlus in appsettings.json (or the environment variable ConnectionStrings__ConnectPlus).");
            connectionString = DefaultSqliteConnectionString;
        }
        var migrate = section["MigrateOnStart"];
        if (!string.IsNullOrWhiteSpace(migrate) && !bool.TryParse(migrate, out _))
            throw new InvalidOperationException($"Database:MigrateOnStart is '{migrate}' in appsettings.json; use true or false.");
        var settings = new DatabaseSettings
        {
            Provider = provider,
            ConnectionString = connectionString,
            MigrateOnStart = string.IsNullOrWhiteSpace(migrate) || bool.Parse(migrate),
        };
        return provider == DatabaseProvider.Sqlite ? settings.WithAbsoluteSqlitePath(workingFolder ?? Environment.CurrentDirectory) : settings;
    }

    /// <summary>The SQLite file, absolute; null for other providers and in-memory databases.</summary>
    public string? SqliteFile
    {
        get
        {
            if (Provider != DatabaseProvider.Sqlite) return null;
            var source = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
            return string.IsNullOrEmpty(source) || source == ":memory:" || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
                ? null
                : Path.GetFullPath(source);
        }
    }

    /// <summary>Where the data is, for messages (no password).</summary>
    public string Describe() => Provider switch
    {
        DatabaseProvider.Sqlite => $"SQLite {SqliteFile ?? new SqliteConnectionStringBuilder(ConnectionString).DataSource}",
        DatabaseProvider.SqlServer => $"SQL Server {Server("Server")}",
        _ => $"PostgreSQL {Server("Host")}",
    };

    private string Server(string hostKey)
    {
        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = ConnectionString };
        var host = builder.TryGetValue(hostKey, out var h) ? h : builder.TryGetValue("Data Source", out var d) ? d : "?";
        var database = builder.TryGetValue("Database", out var db) ? db : builder.TryGetValue("Initial Catalog", out var c) ? c : "?";
        return $"{host}, database {database}";
    }

    private DatabaseSettings WithAbsoluteSqlitePath(string workingFolder)
    {
        var builder = new SqliteConnectionStringBuilder(ConnectionString);
        if (SqliteFile is null || Path.IsPathRooted(builder.DataSource)) return this;
        builder.DataSource = Path.GetFullPath(builder.DataSource, workingFolder);
        return this with { ConnectionString = builder.ToString() };
    }

    // The connection string may hold a password: never print it.
    public override string ToString() => $"{Provider}: {Describe()}";
}
