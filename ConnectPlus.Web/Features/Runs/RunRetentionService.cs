using ConnectPlus.Web.Data;
using ConnectPlus.Web.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>
/// Deletes runs that ended more than <see cref="RunsSettings.RetentionDays"/> ago — their rows, block counts,
/// error samples and log lines, and their folder under the runs folder (error files) — once at start-up and
/// then daily. The processed-file ledger and the delivery checkpoints are kept: they outlive runs on purpose.
/// </summary>
public sealed partial class RunRetentionService(
    IDbContextFactory<ConnectPlusDbContext> databases,
    RunsSettings settings,
    EngineSettings engine,
    TimeProvider time,
    ILogger<RunRetentionService> logger) : BackgroundService
{
    private const int Batch = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.RetentionDays <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromDays(1), time);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception ex) when (DatabaseErrors.IsDatabaseFailure(ex) || ex is IOException)
            {
                PurgeFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes the runs ended before the cutoff; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        if (settings.RetentionDays <= 0) return 0;
        var cutoff = time.GetUtcNow().AddDays(-settings.RetentionDays);
        var runsFolder = Path.GetFullPath(engine.RunsFolder);
        var purged = 0;
        while (true)
        {
            await using var db = databases.CreateDbContext();
            var old = await db.Runs.AsNoTracking()
                .Where(r => r.Ended != null && r.Ended < cutoff && r.Status != RunStatus.Queued && r.Status != RunStatus.Running)
                .OrderBy(r => r.Id).Take(Batch).Select(r => new { r.Id, r.Key }).ToListAsync(cancellationToken);
            if (old.Count == 0) break;
            var ids = old.Select(r => r.Id).ToList();
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                await db.RunBlockStats.Where(s => ids.Contains(s.RunId)).ExecuteDeleteAsync(cancellationToken);
                await db.RunErrors.Where(e => ids.Contains(e.RunId)).ExecuteDeleteAsync(cancellationToken);
                await db.RunLogLines.Where(l => ids.Contains(l.RunId)).ExecuteDeleteAsync(cancellationToken);
                await db.Runs.Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            foreach (var run in old) DeleteFolder(runsFolder, run.Key);
            purged += old.Count;
        }
        if (purged > 0) Purged(purged, settings.RetentionDays, cutoff);
        return purged;
    }

    private void DeleteFolder(string runsFolder, string key)
    {
        // A key is the engine's run id (digits, '-', hex): never a path, but check before deleting anything.
        var folder = Path.GetFullPath(Path.Combine(runsFolder, key));
        if (!folder.StartsWith(runsFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !Directory.Exists(folder)) return;
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            FolderNotDeleted(ex, folder);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Count} runs that ended more than {Days} days ago (before {Cutoff:u}) and their files.")]
    private partial void Purged(int count, int days, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention: the folder {Folder} of a purged run could not be deleted; delete it by hand.")]
    private partial void FolderNotDeleted(Exception exception, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention: purging old runs failed; trying again tomorrow.")]
    private partial void PurgeFailed(Exception exception);
}
