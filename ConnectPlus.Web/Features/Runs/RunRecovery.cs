using System.Globalization;
using System.Text.Json;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>
/// <see cref="IRunRecovery"/>: a conditional update (Queued/Running → Interrupted) decides which of several
/// callers recovers a run; that one alone asks for the next run, per the dataflow's
/// <see cref="Dataflow.OnInterrupted"/>. The run is marked Interrupted before the next one is inserted, so the
/// one-active-run index admits the new run.
/// </summary>
public sealed partial class RunRecovery(
    IDbContextFactory<ConnectPlusDbContext> databases,
    IRunRequests requests,
    TimeProvider time,
    ILogger<RunRecovery> logger) : IRunRecovery
{
    // Longest chain of resumed runs followed back to forget their checkpoints (a loop guard).
    private const int MaxChain = 1000;

    public async Task<RunRequestResult?> RecoverAsync(long runId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var error = RunRequests.Trim(reason, Run.MaxErrorLength);
        Run run;
        await using (var db = databases.CreateDbContext())
        {
            var interrupted = await db.Runs.Where(r => r.Id == runId && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running)).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RunStatus.Interrupted)
                .SetProperty(r => r.Ended, now)
                .SetProperty(r => r.Error, error)
                .SetProperty(r => r.ConcurrencyStamp, Guid.NewGuid()), cancellationToken);
            if (interrupted == 0) return null;
            run = await db.Runs.AsNoTracking().Include(r => r.Dataflow).SingleAsync(r => r.Id == runId, cancellationToken);
            var action = run.Dataflow.OnInterrupted;
            db.AuditEntries.Add(RunRequests.Audit(now, run.Dataflow.WorkspaceId, "system", "run.interrupted", "Run", runId.ToString(CultureInfo.InvariantCulture),
                JsonSerializer.Serialize(new { reason, node = run.Node, onInterrupted = action.ToString() })));
            await db.SaveChangesAsync(cancellationToken);
            Interrupted(runId, run.Dataflow.Name, run.Node, reason, action);
            if (action == InterruptedRunAction.None) return null;
            if (action == InterruptedRunAction.Retry) await ForgetCheckpointsAsync(db, run, cancellationToken);
        }
        var next = await requests.RequestAsync(new RunRequest(run.DataflowId, run.Trigger, run.TriggeredBy, run.DataflowVersionId, run.Id), cancellationToken);
        if (!next.IsQueued) NotResumed(runId, next.SkippedReason);
        return next;
    }

    /// <summary>Retry starts over: the checkpoints of the run and of the runs it resumed go.</summary>
    private static async Task ForgetCheckpointsAsync(ConnectPlusDbContext db, Run run, CancellationToken cancellationToken)
    {
        var keys = new List<string> { run.Key };
        var previous = run.ResumeOf;
        while (previous is { } id && keys.Count < MaxChain)
        {
            var earlier = await db.Runs.AsNoTracking().Where(r => r.Id == id).Select(r => new { r.Key, r.ResumeOf }).SingleOrDefaultAsync(cancellationToken);
            if (earlier is null) break;
            keys.Add(earlier.Key);
            previous = earlier.ResumeOf;
        }
        foreach (var chunk in keys.Chunk(200))
            await db.Checkpoints.Where(c => chunk.Contains(c.RunKey)).ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run #{RunId} of '{Dataflow}' (node {Node}) interrupted: {Reason} Next: {Action}.")]
    private partial void Interrupted(long runId, string dataflow, string? node, string reason, InterruptedRunAction action);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interrupted run #{RunId} was not resumed: {Reason}")]
    private partial void NotResumed(long runId, string? reason);
}
