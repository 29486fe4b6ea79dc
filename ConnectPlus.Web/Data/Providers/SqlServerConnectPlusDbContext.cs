using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ConnectPlus.Web.Data.Providers;

/// <summary>The SQL Server database (several nodes share it). Migrations: Data/Migrations/SqlServer.</summary>
public sealed class SqlServerConnectPlusDbContext(DbContextOptions<SqlServerConnectPlusDbContext> options) : ConnectPlusDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add … --context SqlServerConnectPlusDbContext</c> build the model without the host or a server.</summary>
public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerConnectPlusDbContext>
{
    public SqlServerConnectPlusDbContext CreateDbContext(string[] args) =>
        (SqlServerConnectPlusDbContext)ConnectPlusDatabase.CreateContext(new DatabaseSettings
        {
            Provider = DatabaseProvider.SqlServer,
            ConnectionString = "Server=localhost;Database=ConnectPlus;Integrated Security=true;TrustServerCertificate=true",
        });
}
