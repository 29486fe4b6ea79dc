using System.Data.Common;
using System.Globalization;
using System.Text;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
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
    private CheckpointInsert? _insert;

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

    /// <summary>
    /// Inserts the checkpoints with multi-row INSERT statements (one per <see cref="CheckpointInsert.Chunk"/> rows, in one
    /// transaction) on a connection of the provider's own, not through a context: a context's start-up and SaveChanges'
    /// per-entity work cost more CPU than the rest of a run's checkpointing. Table, columns and parameter values come
    /// from the EF model (names, provider quoting, value converters), so the rows are what SaveChanges would write.
    /// False when a row is already there.
    /// </summary>
    private async Task<bool> InsertAsync(List<EngineCheckpoint> checkpoints, CancellationToken cancellationToken)
    {
        var insert = _insert ??= CheckpointInsert.For(_databases);
        var connection = insert.Open();
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                try
                {
                    for (var start = 0; start < checkpoints.Count; start += CheckpointInsert.Chunk)
                    {
                        var command = insert.Command(connection, checkpoints, start, Math.Min(CheckpointInsert.Chunk, checkpoints.Count - start));
                        await using (command.ConfigureAwait(false))
                        {
                            command.Transaction = transaction;
                            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
                catch (DbException ex) when (DatabaseErrors.IsUniqueViolation(ex))
                {
                    return false;
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return true;
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

/// <summary>
/// The multi-row INSERT of checkpoints for one database: the provider's connections (its own pool, the database's
/// connection string), the table's and columns' names quoted as the provider quotes them, and each value made a
/// parameter by its property's type mapping (which applies the model's value converters, e.g. SQLite's UTC text).
/// </summary>
internal sealed class CheckpointInsert
{
    /// <summary>Rows per statement: 8 parameters each keeps a statement under SQL Server's 2,100 parameters.</summary>
    public const int Chunk = 200;

    // The entity's properties in the order Values gives them.
    private static readonly string[] Properties =
    [
        nameof(StoredCheckpoint.Dataflow), nameof(StoredCheckpoint.NodeId), nameof(StoredCheckpoint.Source), nameof(StoredCheckpoint.Batch),
        nameof(StoredCheckpoint.Digest), nameof(StoredCheckpoint.Items), nameof(StoredCheckpoint.RunKey), nameof(StoredCheckpoint.Acknowledged),
    ];

    private readonly DbProviderFactory _provider;
    private readonly string _connectionString;
    private readonly string _prefix;
    private readonly RelationalTypeMapping[] _mappings;
    private readonly string[] _names;

    private CheckpointInsert(DbProviderFactory provider, string connectionString, string prefix, RelationalTypeMapping[] mappings)
    {
        _provider = provider;
        _connectionString = connectionString;
        _prefix = prefix;
        _mappings = mappings;
        _names = [.. Enumerable.Range(0, Chunk * mappings.Length).Select(i => "@c" + i.ToString(CultureInfo.InvariantCulture))];
    }

    public static CheckpointInsert For(IDbContextFactory<ConnectPlusDbContext> databases)
    {
        using var db = databases.CreateDbContext();
        var entity = db.Model.FindEntityType(typeof(StoredCheckpoint)) ?? throw new InvalidOperationException("The model has no checkpoint entity.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var properties = Properties.Select(name => entity.FindProperty(name) ?? throw new InvalidOperationException($"The checkpoint entity has no property {name}.")).ToArray();
        var columns = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)));
        var connection = db.Database.GetDbConnection();
        var provider = DbProviderFactories.GetFactory(connection) ?? throw new InvalidOperationException($"{connection.GetType().Name} names no provider factory.");
        return new CheckpointInsert(provider, db.Database.GetConnectionString() ?? connection.ConnectionString,
            $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({columns}) VALUES ", [.. properties.Select(p => p.GetRelationalTypeMapping())]);
    }

    /// <summary>A new (pooled) connection to the database, not yet open.</summary>
    public DbConnection Open()
    {
        var connection = _provider.CreateConnection() ?? throw new InvalidOperationException("The database provider made no connection.");
        connection.ConnectionString = _connectionString;
        return connection;
    }

    /// <summary>The command inserting <paramref name="count"/> (at most <see cref="Chunk"/>) checkpoints from <paramref name="start"/>.</summary>
    public DbCommand Command(DbConnection connection, IReadOnlyList<EngineCheckpoint> checkpoints, int start, int count)
    {
        var command = connection.CreateCommand();
        var text = new StringBuilder(_prefix, _prefix.Length + count * _mappings.Length * 8);
        for (var r = 0; r < count; r++)
        {
            var c = checkpoints[start + r];
            text.Append(r == 0 ? "(" : ", (");
            Span<object?> values = [c.Dataflow, c.Node, c.Source, c.Batch, c.Digest, c.Items, c.RunId, DatabaseProcessedFileLedger.Microseconds(c.At)];
            for (var v = 0; v < values.Length; v++)
            {
                var name = _names[r * values.Length + v];
                if (v > 0) text.Append(", ");
                text.Append(name);
                command.Parameters.Add(_mappings[v].CreateParameter(command, name, values[v], nullable: false));
            }
            text.Append(')');
        }
        command.CommandText = text.ToString();
        return command;
    }
}
