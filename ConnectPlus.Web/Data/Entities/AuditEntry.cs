namespace ConnectPlus.Web.Data;

/// <summary>
/// Who did what, when: a line of the audit trail. No foreign keys: the trail outlives what it tells of
/// (a deleted connection's entry stays), so it names things by type and id.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset Time { get; set; }

    /// <summary>The workspace concerned, when there is one.</summary>
    public int? WorkspaceId { get; set; }

    /// <summary>User name, or <c>system</c> for the scheduler and start-up.</summary>
    public required string User { get; set; }

    /// <summary>What was done, e.g. <c>connection.updated</c>, <c>dataflow.published</c>.</summary>
    public required string Action { get; set; }

    /// <summary>The kind of thing acted on, e.g. <c>Connection</c>.</summary>
    public required string EntityType { get; set; }

    public required string EntityId { get; set; }

    /// <summary>Details as JSON (never a secret).</summary>
    public string? Details { get; set; }
}
