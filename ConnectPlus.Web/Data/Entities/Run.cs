namespace ConnectPlus.Web.Data;

/// <summary>Where a run stands.</summary>
public enum RunStatus
{
    /// <summary>Waiting for a free slot (or for the dataflow's previous run to end).</summary>
    Queued,
    Running,
    Succeeded,
    /// <summary>Ended, with rows rejected into the error file.</summary>
    SucceededWithErrors,
    Failed,
    /// <summary>Stopped by a person.</summary>
    Cancelled,
    /// <summary>The node running it stopped (crash, restart) before it ended; a new run resumes from the checkpoints.</summary>
    Interrupted,
}

/// <summary>What started a run.</summary>
public enum RunTrigger
{
    /// <summary>A person pressed Run.</summary>
    Manual,
    /// <summary>A cron schedule fired.</summary>
    Schedule,
    /// <summary>New files arrived at a polled source.</summary>
    FileArrival,
    /// <summary>A call to the REST API.</summary>
    Api,
}

/// <summary>One run of a dataflow version: status, times, counts and where its error and success files are.</summary>
public sealed class Run : IConcurrencyStamped
{
    /// <summary>Most characters of <see cref="Error"/> kept.</summary>
    public const int MaxErrorLength = 4000;

    public long Id { get; set; }

    /// <summary>
    /// The engine's run id (<c>RunOptions.RunId</c>): the run's folder under the runs folder and the run
    /// named by processed-file and checkpoint records, which outlive the run row on purpose. Unique.
    /// </summary>
    public required string Key { get; set; }

    public int DataflowId { get; set; }

    public Dataflow Dataflow { get; set; } = null!;

    /// <summary>The version that ran (kept while runs refer to it).</summary>
    public int DataflowVersionId { get; set; }

    public DataflowVersion DataflowVersion { get; set; } = null!;

    /// <summary>Changed by the node that runs it and by a person who cancels it, maybe on another node: hence the concurrency stamp.</summary>
    public RunStatus Status { get; set; } = RunStatus.Queued;

    public RunTrigger Trigger { get; set; }

    /// <summary>Who or what started it: a user name, a schedule's description, an API client.</summary>
    public string? TriggeredBy { get; set; }

    /// <summary>The machine running it (several nodes share a database).</summary>
    public string? Node { get; set; }

    public DateTimeOffset Queued { get; set; }

    public DateTimeOffset? Started { get; set; }

    public DateTimeOffset? Ended { get; set; }

    /// <summary>Last sign of life from the node running it; a stale heartbeat on a Running run means Interrupted.</summary>
    public DateTimeOffset? Heartbeat { get; set; }

    /// <summary>Rows read by the dataflow's sources.</summary>
    public long RowsRead { get; set; }

    /// <summary>Rows delivered by its sinks (files written, API items accepted).</summary>
    public long RowsWritten { get; set; }

    public long RowsRejected { get; set; }

    public long FilesRead { get; set; }

    public long FilesWritten { get; set; }

    /// <summary>Percentage of rows read that were not rejected (0–100); null until rows were read.</summary>
    public double? Accuracy { get; set; }

    /// <summary>Why the run failed or was cancelled, in words a user can act on.</summary>
    public string? Error { get; set; }

    /// <summary>The block whose failure ended the run.</summary>
    public string? FailedNodeId { get; set; }

    /// <summary>The error file (rejected rows with their reasons), when rows were rejected.</summary>
    public string? ErrorFilePath { get; set; }

    /// <summary>The success file (rows delivered, with the server's answers), when the dataflow writes one.</summary>
    public string? SuccessFilePath { get; set; }

    /// <summary>The interrupted run this one resumes or retries (a plain id: history cleanup may delete that run first).</summary>
    public long? ResumeOf { get; set; }

    /// <summary>
    /// When a person asked a running run to stop; the node running it (maybe another one) polls this with its
    /// heartbeat and stops within seconds. Null while nobody asked.
    /// </summary>
    public DateTimeOffset? CancelRequested { get; set; }

    /// <summary>Who asked it to stop.</summary>
    public string? CancelRequestedBy { get; set; }

    /// <summary>
    /// Lines of the run log not kept: a run keeps its first <see cref="RunLogLine.KeptAtStart"/> and last
    /// <see cref="RunLogLine.KeptAtEnd"/> lines (see <see cref="LogLines"/>); this counts the ones between.
    /// </summary>
    public long LogLinesDropped { get; set; }

    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();

    public List<RunBlockStat> BlockStats { get; } = [];

    public List<RunError> Errors { get; } = [];

    /// <summary>The bounded run log (Info and above), in order of <see cref="RunLogLine.Sequence"/>.</summary>
    public List<RunLogLine> LogLines { get; } = [];

    /// <summary>True once the run has ended, whatever the outcome.</summary>
    public bool IsFinished => Status is not (RunStatus.Queued or RunStatus.Running);
}
