using ConnectPlus.Web.Data;

namespace ConnectPlus.Web.Scheduling;

/// <summary>The <c>Scheduling</c> section of appsettings.json (docs/scheduling.md).</summary>
public sealed class SchedulingSettings
{
    /// <summary>The section's name.</summary>
    public const string Section = "Scheduling";

    /// <summary>Quartz runs in this process: schedules fire and runs go through its job store. False: runs start at once in-process and schedules never fire.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Quartz's clustered job store in the shared database, so that several nodes share schedules and runs. Null: on for
    /// SQL Server and PostgreSQL, off for SQLite (which always keeps the schedule in memory: one node).
    /// </summary>
    public bool? Clustered { get; set; }

    /// <summary>How often a clustered node records that it is alive; a node silent for this plus <see cref="CheckinMisfireThresholdSeconds"/> is dead and its runs are recovered by another.</summary>
    public double CheckinIntervalSeconds { get; set; } = 10;

    /// <summary>How long past a missed check-in the other nodes wait before recovering a node's runs.</summary>
    public double CheckinMisfireThresholdSeconds { get; set; } = 10;

    /// <summary>How late a fire may be and still count as on time; later ones are misfires: one catch-up run now, then the schedule goes on.</summary>
    public double MisfireThresholdSeconds { get; set; } = 60;

    /// <summary>Runs (and schedule checks) this node executes at once; more wait for a free slot.</summary>
    public int MaxConcurrentRuns { get; set; } = 4;

    /// <summary>The shortest poll interval a file-arrival schedule may have.</summary>
    public int MinimumPollIntervalSeconds { get; set; } = 30;

    /// <summary>Whether the job store is the clustered one for this database.</summary>
    public bool IsClustered(DatabaseProvider provider) => Clustered ?? provider != DatabaseProvider.Sqlite;

    /// <summary>What is wrong with these settings, in words that name the setting; empty when nothing.</summary>
    public IEnumerable<string> Problems()
    {
        if (CheckinIntervalSeconds <= 0) yield return "Scheduling:CheckinIntervalSeconds must be more than 0.";
        if (CheckinMisfireThresholdSeconds <= 0) yield return "Scheduling:CheckinMisfireThresholdSeconds must be more than 0.";
        if (MisfireThresholdSeconds < 1) yield return "Scheduling:MisfireThresholdSeconds must be 1 or more.";
        if (MaxConcurrentRuns < 1) yield return "Scheduling:MaxConcurrentRuns must be 1 or more.";
        if (MinimumPollIntervalSeconds < 1) yield return "Scheduling:MinimumPollIntervalSeconds must be 1 or more.";
    }
}
