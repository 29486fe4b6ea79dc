namespace ConnectPlus.Web.Data;

/// <summary>
/// How names that must be unique ignoring case are compared. SQLite and PostgreSQL compare text case
/// by case and SQL Server usually not; a normalized copy with its own unique index gives one rule everywhere.
/// </summary>
public static class Names
{
    public static string Normalize(string name) => (name ?? "").Trim().ToUpperInvariant();
}
