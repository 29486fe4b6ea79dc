using System.Globalization;
using System.Text.Json;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>
/// <see cref="IRunRequests"/> over the database. "Never two runs of one dataflow at once" is the database's
/// rule, not this class's: a filtered unique index (<c>IX_Runs_OneActivePerDataflow</c>) admits one Queued or
/// Running row per dataflow, so of two nodes inserting at the same moment one gets a unique violation, and is
/// answered "already running". No lock is held between reading and writing.
/// </summary>
public sealed partial class RunRequests(
    IDbContextFactory<ConnectPlusDbContext> databases,
    IRunDispatcher dispatcher,
    TimeProvider time,
    ILogger<RunRequests> logger) : IRunRequests
{
    public async Task<RunRequestResult> RequestAsync(RunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The active run may end between our failed insert and our look at it: then try again.
        for (var attempt = 0; ; attempt++)
        {
            var (result, dataflow) = await TryQueueAsync(request, cancellationToken);
            if (result is not null && result.Kind != RunSkipKind.AlreadyRunning)
            {
                if (result.IsQueued) await DispatchAsync(result.RunId!.Value, cancellationToken);
                else Refused(request.DataflowId, request.Trigger, result.SkippedReason);
                return result;
            }
            var active = await ActiveRunAsync(request.DataflowId, cancellationToken);
            if (active is null && attempt < 3) continue;
            var skipped = AlreadyRunning(active);
            await SkippedAsync(request, dataflow!, skipped, cancellationToken);
            return skipped;
        }
    }

    public async Task<bool> CancelAsync(long runId, string requestedBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var who = Trim(requestedBy, 200) ?? "someone";
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using var db = databases.CreateDbContext();
            // Not started: it ends here. Started: the node running it sees the request with its next heartbeat.
            var queued = await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Queued).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RunStatus.Cancelled)
                .SetProperty(r => r.Ended, now)
                .SetProperty(r => r.Error, $"Cancelled by {who} before it started.")
                .SetProperty(r => r.CancelRequested, now)
                .SetProperty(r => r.CancelRequestedBy, who)
                .SetProperty(r => r.ConcurrencyStamp, Guid.NewGuid()), cancellationToken);
            var running = queued > 0 ? 0 : await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Running).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.CancelRequested, now)
                .SetProperty(r => r.CancelRequestedBy, who)
                .SetProperty(r => r.ConcurrencyStamp, Guid.NewGuid()), cancellationToken);
            if (queued + running > 0)
            {
                var run = await db.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.DataflowId, r.Dataflow.WorkspaceId }).SingleAsync(cancellationToken);
                db.AuditEntries.Add(Audit(now, run.WorkspaceId, who, queued > 0 ? "run.cancelled" : "run.cancel-requested", "Run", runId.ToString(CultureInfo.InvariantCulture), null));
                await db.SaveChangesAsync(cancellationToken);
                CancelRequested(runId, who, queued > 0 ? "cancelled before it started" : "the node running it stops it at its next heartbeat");
                return true;
            }
            // Claimed between our two updates? Look again; an ended (or unknown) run is not cancelled.
            var status = await db.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => (RunStatus?)r.Status).SingleOrDefaultAsync(cancellationToken);
            if (status is not (RunStatus.Queued or RunStatus.Running)) return false;
        }
        return false;
    }

    private async Task<(RunRequestResult? Result, Dataflow? Dataflow)> TryQueueAsync(RunRequest request, CancellationToken cancellationToken)
    {
        await using var db = databases.CreateDbContext();
        var dataflow = await db.Dataflows.AsNoTracking().SingleOrDefaultAsync(d => d.Id == request.DataflowId, cancellationToken);
        if (dataflow is null)
            return (Skip(RunSkipKind.DataflowNotFound, $"There is no dataflow #{request.DataflowId}."), null);
        if (request.Trigger is RunTrigger.Schedule or RunTrigger.FileArrival && !dataflow.IsActive && request.ResumeOf is null)
            return (Skip(RunSkipKind.DataflowInactive, $"Dataflow '{dataflow.Name}' is inactive: its schedules and file triggers do not run it. Activate it to run it on schedule."), dataflow);
        var versions = db.DataflowVersions.AsNoTracking().Where(v => v.DataflowId == dataflow.Id);
        var version = request.VersionId is { } versionId
            ? await versions.Where(v => v.Id == versionId).Select(v => (int?)v.Id).SingleOrDefaultAsync(cancellationToken)
            : await versions.Where(v => v.State == DataflowVersionState.Published).Select(v => (int?)v.Id).SingleOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            return request.VersionId is null
                ? (Skip(RunSkipKind.NoPublishedVersion, $"Dataflow '{dataflow.Name}' has no published version: publish a version (or run a given version) to run it."), dataflow)
                : (Skip(RunSkipKind.VersionNotFound, $"Version #{request.VersionId} is not a version of dataflow '{dataflow.Name}'."), dataflow);
        }
        var now = time.GetUtcNow();
        var run = new Run
        {
            Key = RunKey.New(time),
            DataflowId = dataflow.Id,
            DataflowVersionId = version.Value,
            Status = RunStatus.Queued,
            Trigger = request.Trigger,
            TriggeredBy = Trim(request.TriggeredBy, 200),
            Queued = now,
            ResumeOf = request.ResumeOf,
        };
        db.Runs.Add(run);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            return (null, dataflow);
        }
        Queued(run.Id, dataflow.Name, request.Trigger, run.TriggeredBy, request.ResumeOf);
        return (new RunRequestResult(run.Id, null), dataflow);
    }

    private async Task DispatchAsync(long runId, CancellationToken cancellationToken)
    {
        try
        {
            await dispatcher.DispatchAsync(runId, cancellationToken);
        }
        catch (Exception ex)
        {
            // A run nobody will take must not block the dataflow's next runs.
            await using var db = databases.CreateDbContext();
            await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Queued).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RunStatus.Failed)
                .SetProperty(r => r.Ended, time.GetUtcNow())
                .SetProperty(r => r.Error, Trim($"The run could not be handed to a node: {ex.Message}", Run.MaxErrorLength))
                .SetProperty(r => r.ConcurrencyStamp, Guid.NewGuid()), CancellationToken.None);
            throw;
        }
    }

    private async Task<Run?> ActiveRunAsync(int dataflowId, CancellationToken cancellationToken)
    {
        await using var db = databases.CreateDbContext();
        return await db.Runs.AsNoTracking()
            .Where(r => r.DataflowId == dataflowId && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running))
            .OrderBy(r => r.Id).FirstOrDefaultAsync(cancellationToken);
    }

    private static RunRequestResult AlreadyRunning(Run? active)
    {
        if (active is null) return Skip(RunSkipKind.AlreadyRunning, "already running (another run of this dataflow kept starting at the same moment)");
        var when = active.Started is { } started
            ? $"started {started.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC"
            : $"queued {active.Queued.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC, not started yet";
        return Skip(RunSkipKind.AlreadyRunning, $"already running (run #{active.Id}, {when})") with { ActiveRunId = active.Id };
    }

    private async Task SkippedAsync(RunRequest request, Dataflow dataflow, RunRequestResult skipped, CancellationToken cancellationToken)
    {
        Skipped(dataflow.Name, dataflow.Id, request.Trigger, request.TriggeredBy, skipped.SkippedReason);
        await using var db = databases.CreateDbContext();
        var details = JsonSerializer.Serialize(new { trigger = request.Trigger.ToString(), triggeredBy = request.TriggeredBy, reason = skipped.SkippedReason, activeRun = skipped.ActiveRunId });
        db.AuditEntries.Add(Audit(time.GetUtcNow(), dataflow.WorkspaceId, Trim(request.TriggeredBy, 200) ?? "system", "run.skipped", "Dataflow", dataflow.Id.ToString(CultureInfo.InvariantCulture), details));
        await db.SaveChangesAsync(cancellationToken);
    }

    internal static AuditEntry Audit(DateTimeOffset time, int? workspaceId, string user, string action, string entityType, string entityId, string? details) => new()
    {
        Time = time,
        WorkspaceId = workspaceId,
        User = user,
        Action = action,
        EntityType = entityType,
        EntityId = entityId,
        Details = details,
    };

    private static RunRequestResult Skip(RunSkipKind kind, string reason) => new(null, reason) { Kind = kind };

    internal static string? Trim(string? text, int max) => text is null ? null : text.Length <= max ? text : text[..(max - 1)] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "Run #{RunId} of '{Dataflow}' queued ({Trigger} by {TriggeredBy}; resumes run {ResumeOf}).")]
    private partial void Queued(long runId, string dataflow, RunTrigger trigger, string? triggeredBy, long? resumeOf);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run of dataflow '{Dataflow}' (#{DataflowId}) asked by {Trigger} ({TriggeredBy}) skipped: {Reason}.")]
    private partial void Skipped(string dataflow, int dataflowId, RunTrigger trigger, string? triggeredBy, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run of dataflow #{DataflowId} asked by {Trigger} not queued: {Reason}")]
    private partial void Refused(int dataflowId, RunTrigger trigger, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run #{RunId}: cancel asked by {By}; {What}.")]
    private partial void CancelRequested(long runId, string by, string what);
}
