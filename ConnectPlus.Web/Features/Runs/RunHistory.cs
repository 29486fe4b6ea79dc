using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>Which runs to list: every filter optional; newest first; paged.</summary>
public sealed record RunQuery
{
    public int? WorkspaceId { get; init; }
    public int? DataflowId { get; init; }
    public IReadOnlyCollection<RunStatus>? Statuses { get; init; }
    public RunTrigger? Trigger { get; init; }

    /// <summary>Runs queued at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Runs queued before this time.</summary>
    public DateTimeOffset? To { get; init; }

    public int Skip { get; init; }

    /// <summary>Runs per page (1 to <see cref="RunHistory.MaxPage"/>).</summary>
    public int Take { get; init; } = 50;
}

/// <summary>A run as lists show it.</summary>
public sealed record RunSummary(
    long Id, string Key, int DataflowId, string Dataflow, int WorkspaceId, int VersionId, int VersionNumber,
    RunStatus Status, RunTrigger Trigger, string? TriggeredBy, string? Node, long? ResumeOf,
    DateTimeOffset Queued, DateTimeOffset? Started, DateTimeOffset? Ended, DateTimeOffset? Heartbeat,
    long RowsRead, long RowsWritten, long RowsRejected, long FilesRead, long FilesWritten, double? Accuracy,
    string? Error, string? FailedNodeId, string? ErrorFilePath, string? SuccessFilePath,
    DateTimeOffset? CancelRequested, string? CancelRequestedBy)
{
    /// <summary>Time from start to end (or to now for a running run, as of its last heartbeat).</summary>
    public TimeSpan? Duration => Started is { } s ? (Ended ?? Heartbeat ?? s) - s : null;
}

/// <summary>One page of runs and how many match in all.</summary>
public sealed record RunPage(IReadOnlyList<RunSummary> Runs, int Total);

/// <summary>A run with its per-block counts, its bounded log and its error sample.</summary>
public sealed record RunDetails(
    RunSummary Run,
    IReadOnlyList<RunBlockStat> Blocks,
    IReadOnlyList<RunLogLine> Log,
    long LogLinesDropped,
    IReadOnlyList<RunError> Errors);

/// <summary>The read side of run history, for the run pages and the REST API. Reads only; any node answers.</summary>
public sealed class RunHistory(IDbContextFactory<ConnectPlusDbContext> databases)
{
    /// <summary>Most runs in one page.</summary>
    public const int MaxPage = 500;

    public async Task<RunPage> ListAsync(RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = databases.CreateDbContext();
        var runs = db.Runs.AsNoTracking();
        if (query.WorkspaceId is { } workspace) runs = runs.Where(r => r.Dataflow.WorkspaceId == workspace);
        if (query.DataflowId is { } dataflow) runs = runs.Where(r => r.DataflowId == dataflow);
        if (query.Statuses is { Count: > 0 } statuses) runs = runs.Where(r => statuses.Contains(r.Status));
        if (query.Trigger is { } trigger) runs = runs.Where(r => r.Trigger == trigger);
        if (query.From is { } from) runs = runs.Where(r => r.Queued >= from);
        if (query.To is { } to) runs = runs.Where(r => r.Queued < to);
        var total = await runs.CountAsync(cancellationToken);
        var page = await Summaries(runs.OrderByDescending(r => r.Id).Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, MaxPage)))
            .ToListAsync(cancellationToken);
        return new RunPage(page, total);
    }

    /// <summary>One run with its details; null when there is no such run (or it was purged).</summary>
    public async Task<RunDetails?> GetAsync(long runId, CancellationToken cancellationToken)
    {
        await using var db = databases.CreateDbContext();
        var run = await Summaries(db.Runs.AsNoTracking().Where(r => r.Id == runId)).SingleOrDefaultAsync(cancellationToken);
        if (run is null) return null;
        var blocks = await db.RunBlockStats.AsNoTracking().Where(s => s.RunId == runId).OrderBy(s => s.Id).ToListAsync(cancellationToken);
        var log = await db.RunLogLines.AsNoTracking().Where(l => l.RunId == runId).OrderBy(l => l.Sequence).ToListAsync(cancellationToken);
        var dropped = await db.Runs.AsNoTracking().Where(r => r.Id == runId).Select(r => r.LogLinesDropped).SingleAsync(cancellationToken);
        var errors = await db.RunErrors.AsNoTracking().Where(e => e.RunId == runId).OrderBy(e => e.Sequence).ToListAsync(cancellationToken);
        return new RunDetails(run, blocks, log, dropped, errors);
    }

    /// <summary>The run id of a run key (the engine's run id, as in file names); null when unknown.</summary>
    public async Task<long?> FindByKeyAsync(string key, CancellationToken cancellationToken)
    {
        await using var db = databases.CreateDbContext();
        return await db.Runs.AsNoTracking().Where(r => r.Key == key).Select(r => (long?)r.Id).SingleOrDefaultAsync(cancellationToken);
    }

    private static IQueryable<RunSummary> Summaries(IQueryable<Run> runs) => runs.Select(r => new RunSummary(
        r.Id, r.Key, r.DataflowId, r.Dataflow.Name, r.Dataflow.WorkspaceId, r.DataflowVersionId, r.DataflowVersion.Number,
        r.Status, r.Trigger, r.TriggeredBy, r.Node, r.ResumeOf,
        r.Queued, r.Started, r.Ended, r.Heartbeat,
        r.RowsRead, r.RowsWritten, r.RowsRejected, r.FilesRead, r.FilesWritten, r.Accuracy,
        r.Error, r.FailedNodeId, r.ErrorFilePath, r.SuccessFilePath,
        r.CancelRequested, r.CancelRequestedBy));
}
