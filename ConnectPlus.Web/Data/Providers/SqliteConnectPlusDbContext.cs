using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ConnectPlus.Web.Data.Providers;

/// <summary>The SQLite database (default; one machine). Migrations: Data/Migrations/Sqlite.</summary>
public sealed class SqliteConnectPlusDbContext(DbContextOptions<SqliteConnectPlusDbContext> options) : ConnectPlusDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite has no date type and EF cannot order or compare DateTimeOffset there; fixed-width UTC
        // ISO 8601 text keeps 100 ns precision, sorts as text and stays readable in the sqlite3 shell.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTextConverter>().HaveMaxLength(28);
    }

    private sealed class UtcTextConverter() : ValueConverter<DateTimeOffset, string>(
        v => v.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture),
        v => DateTimeOffset.ParseExact(v, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal))
    {
        private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    }
}

/// <summary>Lets <c>dotnet ef migrations add … --context SqliteConnectPlusDbContext</c> build the model without the host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteConnectPlusDbContext>
{
    public SqliteConnectPlusDbContext CreateDbContext(string[] args) =>
        (SqliteConnectPlusDbContext)ConnectPlusDatabase.CreateContext(new DatabaseSettings { Provider = DatabaseProvider.Sqlite, ConnectionString = "Data Source=design-time.db" });
}
