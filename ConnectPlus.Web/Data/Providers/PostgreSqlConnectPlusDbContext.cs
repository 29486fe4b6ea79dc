using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ConnectPlus.Web.Data.Providers;

/// <summary>The PostgreSQL database (several nodes share it). Migrations: Data/Migrations/PostgreSql.</summary>
public sealed class PostgreSqlConnectPlusDbContext(DbContextOptions<PostgreSqlConnectPlusDbContext> options) : ConnectPlusDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // timestamptz stores instants and Npgsql refuses a DateTimeOffset with a non-zero offset: store every value as UTC.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
    }

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);
}

/// <summary>Lets <c>dotnet ef migrations add … --context PostgreSqlConnectPlusDbContext</c> build the model without the host or a server.</summary>
public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlConnectPlusDbContext>
{
    public PostgreSqlConnectPlusDbContext CreateDbContext(string[] args) =>
        (PostgreSqlConnectPlusDbContext)ConnectPlusDatabase.CreateContext(new DatabaseSettings
        {
            Provider = DatabaseProvider.PostgreSql,
            ConnectionString = "Host=localhost;Database=connectplus;Username=connectplus",
        });
}
