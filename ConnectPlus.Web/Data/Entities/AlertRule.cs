namespace ConnectPlus.Web.Data;

/// <summary>What an alert rule watches for.</summary>
public enum AlertCondition
{
    RunFailed,
    RunSucceededWithErrors,
    /// <summary>A run's accuracy (percent of rows not rejected) fell below <see cref="AlertRule.Threshold"/>.</summary>
    AccuracyBelow,
    /// <summary>A run took longer than <see cref="AlertRule.Threshold"/> minutes.</summary>
    RunLongerThan,
    /// <summary>No successful run for <see cref="AlertRule.Threshold"/> hours.</summary>
    NoSuccessFor,
}

/// <summary>How an alert reaches people.</summary>
public enum AlertChannel
{
    /// <summary>Shown in the app only.</summary>
    InApp,
    Email,
    Webhook,
}

/// <summary>A rule that raises alerts for the runs of one dataflow, or of every dataflow of its workspace.</summary>
public sealed class AlertRule
{
    public int Id { get; set; }

    public int WorkspaceId { get; set; }

    public Workspace Workspace { get; set; } = null!;

    /// <summary>The dataflow watched; null: every dataflow of the workspace.</summary>
    public int? DataflowId { get; set; }

    public Dataflow? Dataflow { get; set; }

    public required string Name { get; set; }

    public AlertCondition Condition { get; set; }

    /// <summary>The condition's number (percent, minutes or hours), where it takes one.</summary>
    public double? Threshold { get; set; }

    public AlertChannel Channel { get; set; }

    /// <summary>E-mail addresses (comma-separated) or the webhook URL.</summary>
    public string? Target { get; set; }

    public bool IsEnabled { get; set; } = true;

    public DateTimeOffset Created { get; set; }
}
