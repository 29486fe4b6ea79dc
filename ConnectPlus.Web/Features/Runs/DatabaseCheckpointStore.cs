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
/// Group commit (<see cref="GroupCommit{T}"/>, as <see cref="FileCheckpointStore"/> does it): checkpoints recorded while a commit runs, or within
/// <c>gather</c> (10 ms by default) of the one before, go in one transaction together, so a sink with several requests
/// in flight does not queue for a commit (an fsync) per batch.
/// </summary>
public sealed class DatabaseCheckpointStore : ICheckpointStore, IDisposable
{
    private const int Chunk = 200;

    private readonly IDbContextFactory<ConnectPlusDbContext> _databases;
    private readonly GroupCommit<EngineCheckpoint> _commits;

    public DatabaseCheckpointStore(IDbContextFactory<ConnectPlusDbContext> databases, TimeSpan? gather = null)
    {
        _databases = databases;
        _commits = new((group, _) => CommitAsync(group), gather ?? TimeSpan.FromMilliseconds(10));
    }

    /// <summary>Called with the size of each group as its commit starts (tests).</summary>
    internal Action<int>? OnCommit
    {
        get => _commits.OnCommit;
        set => _commits.OnCommit = value;
    }

    public void Dispose() => _commits.Dispose();

    /// <inheritdoc />
    public async Task<IReadOnlyList<EngineCheckpoint>> LoadAsync(string dataflow, string node, CancellationToken cancellationToken)
    {
        try
        {
            var db = _databases.CreateDbContext();
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
    public Task RecordAsync(EngineCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return _commits.AddAsync(checkpoint, cancellationToken);
    }

    /// <summary>
    /// Inserts the group in one transaction; when a row is already there (a batch recorded again on resume), each
    /// checkpoint of the group is written on its own instead, replacing what is there. Not cancellable: the callers
    /// of a group may differ, and a commit half done by one's cancellation would fail the others.
    /// </summary>
    private async Task CommitAsync(List<EngineCheckpoint> group)
    {
        try
        {
            if (await InsertAsync(group, CancellationToken.None).ConfigureAwait(false)) return;
            foreach (var checkpoint in group)
            {
                if (await InsertAsync([checkpoint], CancellationToken.None).ConfigureAwait(false)) continue;
                await UpdateAsync(checkpoint, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (DatabaseErrors.IsDatabaseFailure(ex))
        {
            var first = group[0];
            var what = group.Count == 1 ? $"batch {first.Batch} of {first.Source}" : $"{group.Count} batches (batch {first.Batch} of {first.Source} and others)";
            throw new IOException($"The delivery checkpoint of {what} cannot be written to the database: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async Task ForgetAsync(string dataflow, string node, IReadOnlyCollection<string> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0) return;
        try
        {
            var db = _databases.CreateDbContext();
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

    private async Task<bool> InsertAsync(IReadOnlyList<EngineCheckpoint> checkpoints, CancellationToken cancellationToken)
    {
        var db = _databases.CreateDbContext();
        await using (db.ConfigureAwait(false))
        {
            foreach (var checkpoint in checkpoints)
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
            }
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
        var db = _databases.CreateDbContext();
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
