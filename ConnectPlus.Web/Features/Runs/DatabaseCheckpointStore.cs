using ConnectPlus.Engine.Delivery;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;
using EngineCheckpoint = ConnectPlus.Engine.Delivery.Checkpoint;
using StoredCheckpoint = ConnectPlus.Web.Data.Checkpoint;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>
/// API sinks' delivery checkpoints in the <see cref="StoredCheckpoint"/> table, shared by every node of the
/// database (a run resumed on another node finds them). One row per dataflow, sink block, source file and
/// batch (a unique index): recording a batch again replaces its row (insert, and on a unique violation —
/// a row already there, maybe written by another node at the same moment — update it). Committed before
/// <see cref="RecordAsync"/> returns. Times are cut to whole microseconds, as PostgreSQL keeps them.
/// </summary>
public sealed class DatabaseCheckpointStore(IDbContextFactory<ConnectPlusDbContext> databases) : ICheckpointStore
{
    private const int Chunk = 200;

    /// <inheritdoc />
    public async Task<IReadOnlyList<EngineCheckpoint>> LoadAsync(string dataflow, string node, CancellationToken cancellationToken)
    {
        try
        {
            var db = databases.CreateDbContext();
            await using (db.ConfigureAwait(false))
            {
                var rows = await db.Checkpoints.AsNoTracking()
                    .Where(c => c.Dataflow == dataflow && c.NodeId == node)
                    .OrderBy(c => c.Source).ThenBy(c => c.Batch)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                return [.. rows.Select(c => new EngineCheckpoint(c.Dataflow, c.NodeId, c.Source, c.Batch, c.Digest, c.Items, c.RunKey, c.Acknowledged))];
            }
        }
        catch (Exception ex) when (DatabaseErrors.IsDatabaseFailure(ex))
        {
            throw new IOException($"The delivery checkpoints of '{dataflow}' cannot be read from the database: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async Task RecordAsync(EngineCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        try
        {
            if (await InsertAsync(checkpoint, cancellationToken).ConfigureAwait(false)) return;
            await UpdateAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (DatabaseErrors.IsDatabaseFailure(ex))
        {
            throw new IOException($"The delivery checkpoint of batch {checkpoint.Batch} of {checkpoint.Source} cannot be written to the database: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async Task ForgetAsync(string dataflow, string node, IReadOnlyCollection<string> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0) return;
        try
        {
            var db = databases.CreateDbContext();
            await using (db.ConfigureAwait(false))
            {
                foreach (var chunk in sources.Distinct(StringComparer.Ordinal).Chunk(Chunk))
                {
                    await db.Checkpoints.Where(c => c.Dataflow == dataflow && c.NodeId == node && chunk.Contains(c.Source))
                        .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (DatabaseErrors.IsDatabaseFailure(ex))
        {
            throw new IOException($"The delivery checkpoints of '{dataflow}' cannot be removed from the database: {ex.Message}", ex);
        }
    }

    private async Task<bool> InsertAsync(EngineCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var db = databases.CreateDbContext();
        await using (db.ConfigureAwait(false))
        {
            db.Checkpoints.Add(new StoredCheckpoint
            {
                Dataflow = checkpoint.Dataflow,
                NodeId = checkpoint.Node,
                Source = checkpoint.Source,
                Batch = checkpoint.Batch,
                Digest = checkpoint.Digest,
                Items = checkpoint.Items,
                RunKey = checkpoint.RunId,
                Acknowledged = DatabaseProcessedFileLedger.Microseconds(checkpoint.At),
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
            {
                return false;
            }
        }
    }

    private async Task UpdateAsync(EngineCheckpoint c, CancellationToken cancellationToken)
    {
        var db = databases.CreateDbContext();
        await using (db.ConfigureAwait(false))
        {
            var acknowledged = DatabaseProcessedFileLedger.Microseconds(c.At);
            await db.Checkpoints
                .Where(x => x.Dataflow == c.Dataflow && x.NodeId == c.Node && x.Source == c.Source && x.Batch == c.Batch)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.Digest, c.Digest)
                    .SetProperty(x => x.Items, c.Items)
                    .SetProperty(x => x.RunKey, c.RunId)
                    .SetProperty(x => x.Acknowledged, acknowledged), cancellationToken).ConfigureAwait(false);
        }
    }
}
