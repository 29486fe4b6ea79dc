namespace ConnectPlus.Web.Features.Runs;

/// <summary>The <c>Runs</c> section of appsettings.json: heartbeats, recovery of cut-off runs, retention.</summary>
public sealed class RunsSettings
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Runs";

    /// <summary>Days a finished run (its row, counts, log, error sample and its folder of error files) is kept; 0 keeps runs forever.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>
    /// Seconds between two heartbeats of a running run: the node saves counts, log and error sample, proves it
    /// is alive and looks for a cancel request at that pace.
    /// </summary>
    public double HeartbeatSeconds { get; set; } = 3;

    /// <summary>A Running run whose heartbeat is older than this (seconds) was cut off: its node died. Keep it several heartbeats long.</summary>
    public double StaleAfterSeconds { get; set; } = 30;

    /// <summary>A Queued run that no node took within this many seconds was lost with the node that queued it.</summary>
    public double QueuedTimeoutSeconds { get; set; } = 300;

    /// <summary>Look for cut-off runs when the host starts, and then every <see cref="StaleAfterSeconds"/>.</summary>
    public bool RecoverCutOffRuns { get; set; } = true;

    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(Math.Max(0.05, HeartbeatSeconds));

    public TimeSpan StaleAfter => TimeSpan.FromSeconds(Math.Max(HeartbeatSeconds * 2, StaleAfterSeconds));

    public TimeSpan QueuedTimeout => TimeSpan.FromSeconds(Math.Max(1, QueuedTimeoutSeconds));
}
