using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>Where the combinations of a <see cref="JoinCursor"/> go.</summary>
internal abstract class JoinSink
{
    /// <summary>Rows taken so far.</summary>
    public long Rows { get; protected set; }

    public abstract ValueTask TakeAsync(JoinCursor cursor, CancellationToken cancellationToken);

    /// <summary>Drains a started cursor into this sink.</summary>
    public async ValueTask DrainAsync(JoinCursor cursor, CancellationToken cancellationToken)
    {
        while (cursor.TryNext())
        {
            var taken = TakeAsync(cursor, cancellationToken);
            if (!taken.IsCompletedSuccessfully) await taken.ConfigureAwait(false);
        }
    }

    /// <summary>Walks the held rows that nothing matched (of stages that keep them) through the later stages, stage by stage.</summary>
    public async ValueTask<long[]> DrainUnmatchedHeldAsync(JoinCursor cursor, IReadOnlyList<JoinStage> stages, CancellationToken cancellationToken)
    {
        var counts = new long[stages.Count];
        for (var s = 0; s < stages.Count; s++)
        {
            if (!stages[s].KeepUnmatchedHeld) continue;
            var table = stages[s].Table;
            for (var row = 0; row < table.Count; row++)
            {
                if (table.IsMatched(row)) continue;
                counts[s]++;
                cursor.StartHeld(s, row);
                await DrainAsync(cursor, cancellationToken).ConfigureAwait(false);
            }
        }
        return counts;
    }
}

/// <summary>Sends combinations to an output port in batches.</summary>
internal sealed class OutputSink(BlockContext context, string port, RecordSchema schema) : JoinSink
{
    private readonly RecordBatchBuilder _builder = new(schema, context.BatchSize);

    public override ValueTask TakeAsync(JoinCursor cursor, CancellationToken cancellationToken)
    {
        var values = new string?[schema.Count];
        cursor.CopyCurrent(values);
        Rows++;
        return _builder.Add(new Record(values, cursor.CurrentSource))
            ? context.WriteAsync(port, _builder.Take(), cancellationToken)
            : ValueTask.CompletedTask;
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_builder.Count > 0) await context.WriteAsync(port, _builder.Take(), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Keeps combinations in a table, to be held for a later pair (build side left).</summary>
internal sealed class TableSink(PackedRowTable table, int width) : JoinSink
{
    private readonly string?[] _row = new string?[width];

    public PackedRowTable Table => table;

    public override ValueTask TakeAsync(JoinCursor cursor, CancellationToken cancellationToken)
    {
        cursor.CopyCurrent(_row);
        table.Add(cursor.Key, cursor.KeyMatchable, _row, cursor.CurrentSource);
        Rows++;
        return ValueTask.CompletedTask;
    }
}
