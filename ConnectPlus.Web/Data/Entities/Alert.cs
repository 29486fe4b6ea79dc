namespace ConnectPlus.Web.Data;

/// <summary>An alert raised by a rule, usually for a run.</summary>
public sealed class Alert
{
    public long Id { get; set; }

    public int AlertRuleId { get; set; }

    public AlertRule AlertRule { get; set; } = null!;

    /// <summary>
    /// The run that raised it. A plain reference, no foreign key: run history cleanup may delete the run
    /// while the alert stays (and SQL Server allows one cascade path only).
    /// </summary>
    public long? RunId { get; set; }

    public DateTimeOffset Raised { get; set; }

    public required string Message { get; set; }

    /// <summary>When the alert was sent through its rule's channel; null until then.</summary>
    public DateTimeOffset? Delivered { get; set; }

    public DateTimeOffset? Acknowledged { get; set; }

    /// <summary>Who acknowledged it (user name).</summary>
    public string? AcknowledgedBy { get; set; }
}
