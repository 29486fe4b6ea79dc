using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>
/// Finds runs cut off by process death and hands them to <see cref="IRunRecovery"/>: at start-up, the runs
/// this node (same <see cref="RunNode"/> name) left Running; then, at start-up and every
/// <see cref="RunsSettings.StaleAfter"/>, Running runs of any node whose heartbeat is older than that, and
/// Queued runs nobody took within <see cref="RunsSettings.QueuedTimeout"/>. Several nodes may do this at
/// once: the recovery's conditional update lets one of them win each run.
/// </summary>
public sealed partial class RunRecoveryService(
    IDbContextFactory<ConnectPlusDbContext> databases,
    IRunRecovery recovery,
    RunsSettings settings,
    RunNode node,
    TimeProvider time,
    ILogger<RunRecoveryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.RecoverCutOffRuns) return;
        await SweepAsync(atStart: true, stoppingToken);
        using var timer = new PeriodicTimer(settings.StaleAfter, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(atStart: false, stoppingToken);
            }
            catch (Exception ex) when (DatabaseErrors.IsDatabaseFailure(ex))
            {
                SweepFailed(ex);
            }
        }
    }

    /// <summary>One look for cut-off runs; returns how many this call recovered.</summary>
    public async Task<int> SweepAsync(bool atStart, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var staleBefore = now - settings.StaleAfter;
        var queuedBefore = now - settings.QueuedTimeout;
        var me = node.Name;
        List<(long Id, string Reason)> found;
        await using (var db = databases.CreateDbContext())
        {
            var running = await db.Runs.AsNoTracking()
                .Where(r => r.Status == RunStatus.Running && ((atStart && r.Node == me) || r.Heartbeat == null || r.Heartbeat < staleBefore))
                .Select(r => new { r.Id, r.Node, r.Heartbeat }).ToListAsync(cancellationToken);
            var queued = await db.Runs.AsNoTracking()
                .Where(r => r.Status == RunStatus.Queued && r.Queued < queuedBefore)
                .Select(r => new { r.Id, r.Queued }).ToListAsync(cancellationToken);
            found =
            [
                .. running.Select(r => (r.Id, r.Node == me && atStart
                    ? $"Node {me} stopped (crash, kill or restart) while running it; it was found when the node started again."
                    : $"Node {r.Node} stopped sending heartbeats (last at {r.Heartbeat?.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC): the node died or lost the database.")),
                .. queued.Select(r => (r.Id, $"No node took it within {settings.QueuedTimeout.TotalSeconds:0} s of being queued ({r.Queued.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC): the node that queued it stopped.")),
            ];
        }
        var recovered = 0;
        foreach (var (id, reason) in found)
        {
            var next = await recovery.RecoverAsync(id, reason, cancellationToken);
            recovered++;
            Recovered(id, next?.RunId, next?.SkippedReason);
        }
        return recovered;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cut-off run #{RunId} handled: next run {NextRunId} {Skipped}")]
    private partial void Recovered(long runId, long? nextRunId, string? skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for cut-off runs failed; trying again later.")]
    private partial void SweepFailed(Exception exception);
}
