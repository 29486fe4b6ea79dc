namespace ConnectPlus.Web.Data;

/// <summary>What fires a schedule.</summary>
public enum ScheduleKind
{
    /// <summary>A cron expression in a time zone.</summary>
    Cron,
    /// <summary>Polls the dataflow's sources and runs when new files arrive.</summary>
    FileArrival,
}

/// <summary>When a dataflow runs by itself. The published version runs, and never two runs of one dataflow at once.</summary>
public sealed class Schedule : IConcurrencyStamped
{
    public int Id { get; set; }

    public int DataflowId { get; set; }

    public Dataflow Dataflow { get; set; } = null!;

    public ScheduleKind Kind { get; set; }

    /// <summary>Quartz cron expression (with seconds), for <see cref="ScheduleKind.Cron"/>.</summary>
    public string? CronExpression { get; set; }

    /// <summary>IANA time zone the cron expression is read in, e.g. <c>Asia/Kolkata</c>.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Seconds between polls, for <see cref="ScheduleKind.FileArrival"/>.</summary>
    public int? PollIntervalSeconds { get; set; }

    public bool IsEnabled { get; set; } = true;

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset Updated { get; set; }

    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}
