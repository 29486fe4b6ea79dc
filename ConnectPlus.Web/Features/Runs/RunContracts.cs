using ConnectPlus.Web.Data;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>
/// What every trigger calls to start a run (the Run button, a schedule, file arrival, the REST API):
/// creates a <see cref="RunStatus.Queued"/> <see cref="Run"/> of the dataflow's published version (or the
/// version asked for) and hands it to the <see cref="IRunDispatcher"/>. Never two runs of one dataflow at
/// once: when one is queued or running, the request is skipped and the reason returned (and logged).
/// </summary>
public interface IRunRequests
{
    /// <summary>Queues a run, or says why it did not.</summary>
    Task<RunRequestResult> RequestAsync(RunRequest request, CancellationToken cancellationToken);

    /// <summary>Asks a queued or running run to stop, on whichever node runs it; false when it had already ended.</summary>
    Task<bool> CancelAsync(long runId, string requestedBy, CancellationToken cancellationToken);
}

/// <summary>A request to run a dataflow.</summary>
/// <param name="DataflowId">The dataflow.</param>
/// <param name="Trigger">What asked.</param>
/// <param name="TriggeredBy">Who or what asked: a user name, a schedule's description, an API client.</param>
/// <param name="VersionId">The version to run; null runs the published version (a dataflow without one cannot run by itself).</param>
/// <param name="ResumeOf">The interrupted run this one resumes (its checkpoints and ledger entries carry over).</param>
public sealed record RunRequest(int DataflowId, RunTrigger Trigger, string? TriggeredBy, int? VersionId = null, long? ResumeOf = null);

/// <summary>The answer to a <see cref="RunRequest"/>: the queued run's id, or why none was queued.</summary>
public sealed record RunRequestResult(long? RunId, string? SkippedReason)
{
    public bool IsQueued => RunId is not null;

    /// <summary>Why no run was queued, for callers that answer differently (the REST API: 404, 409…); null when queued.</summary>
    public RunSkipKind? Kind { get; init; }

    /// <summary>When skipped because a run of the dataflow is queued or running: that run.</summary>
    public long? ActiveRunId { get; init; }
}

/// <summary>Why a run request queued nothing.</summary>
public enum RunSkipKind
{
    /// <summary>No dataflow has that id.</summary>
    DataflowNotFound,
    /// <summary>The version asked for is not a version of that dataflow.</summary>
    VersionNotFound,
    /// <summary>No version asked for, and the dataflow has no published version.</summary>
    NoPublishedVersion,
    /// <summary>A schedule or file arrival asked, and the dataflow is inactive.</summary>
    DataflowInactive,
    /// <summary>A run of the dataflow is queued or running (never two at once).</summary>
    AlreadyRunning,
}

/// <summary>
/// How a queued run reaches a node. The default runs it in this process at once; with Quartz it becomes a
/// one-off job (on a clustered job store, any node takes it and another recovers it when that node dies).
/// </summary>
public interface IRunDispatcher
{
    Task DispatchAsync(long runId, CancellationToken cancellationToken);
}

/// <summary>
/// Executes one queued run on this node, to its end: loads its version, resolves connections, runs the
/// engine with the database ledger and checkpoints, keeps the run row (status, heartbeat, counts, log,
/// error sample, files) up to date, and stops when the run is cancelled from any node.
/// </summary>
public interface IRunExecutor
{
    /// <summary>Runs it; returns when it has ended (whatever the outcome). A run no longer Queued is left alone.</summary>
    Task ExecuteAsync(long runId, CancellationToken cancellationToken);
}

/// <summary>
/// What start-up and a clustered scheduler call for a run cut off by process death (its node died or restarted).
/// </summary>
public interface IRunRecovery
{
    /// <summary>
    /// Marks a run cut off by process death <see cref="RunStatus.Interrupted"/> (only when it is still Queued/Running —
    /// a conditional update, safe to call from several nodes at once, idempotent) and, per its dataflow's
    /// <c>OnInterrupted</c> setting, queues the run that resumes it (or retries it from the start).
    /// </summary>
    /// <param name="runId">The run cut off.</param>
    /// <param name="reason">Why it is considered cut off, in words a user reads on the run (e.g. "node X restarted").</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>
    /// The resume/retry request's outcome; null when this call did not interrupt the run (it had ended, or another
    /// caller interrupted it first) or the dataflow says not to run it again.
    /// </returns>
    Task<RunRequestResult?> RecoverAsync(long runId, string reason, CancellationToken cancellationToken);
}
