namespace ConnectPlus.Web.Data;

/// <summary>
/// A row that two writers (two nodes, or a node and a person) may update at once. The stamp is a
/// concurrency token renewed on every save, so the second of two writers that read the same stamp gets a
/// <see cref="Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException"/> instead of overwriting the first.
/// A GUID rather than rowversion/xmin: one portable mechanism for SQLite, SQL Server and PostgreSQL.
/// </summary>
public interface IConcurrencyStamped
{
    Guid ConcurrencyStamp { get; set; }
}
