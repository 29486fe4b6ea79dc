using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ConnectPlus.Web.Data;

/// <summary>Tells the database's own refusals apart, the same way on every provider.</summary>
public static class DatabaseErrors
{
    /// <summary>True when a save broke a unique index (SQLite 2067/1555, PostgreSQL 23505, SQL Server 2601/2627).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.InnerException is DbException inner && IsUniqueViolation(inner);
    }

    /// <summary>True when a statement run outside SaveChanges (raw SQL) broke a unique index.</summary>
    public static bool IsUniqueViolation(DbException exception) =>
        exception switch
        {
            SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
            PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
            SqlException sqlServer => sqlServer.Number is 2601 or 2627,
            _ => false,
        };

    /// <summary>True for the failures of reaching or using the database (as opposed to programming errors).</summary>
    public static bool IsDatabaseFailure(Exception exception) =>
        exception is DbException or DbUpdateException or TimeoutException;
}
