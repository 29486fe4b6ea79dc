using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Transform;

/// <summary>
/// Collects rows for one output port into batches of the run's batch size, starting a new batch
/// when the rows' columns change (e.g. the next input file has another header).
/// </summary>
internal sealed class RecordOutput(BlockContext context, string port, int? batchSize = null)
{
    private readonly int _batchSize = batchSize ?? context.BatchSize;
    private RecordBatchBuilder? _builder;

    /// <summary>Rows added so far.</summary>
    public long Count { get; private set; }

    /// <summary>Adds a row; completes at once unless a full batch has to wait for room downstream.</summary>
    public ValueTask AddAsync(RecordSchema schema, Record row, CancellationToken cancellationToken)
    {
        // Not an async method: most rows only join the current batch, and skip the state machine.
        if (_builder is not null && !_builder.Schema.SameColumns(schema))
            return FlushThenAddAsync(schema, row, cancellationToken);
        _builder ??= new RecordBatchBuilder(schema, _batchSize);
        Count++;
        return _builder.Add(row) ? context.WriteAsync(port, _builder.Take(), cancellationToken) : ValueTask.CompletedTask;
    }

    private async ValueTask FlushThenAddAsync(RecordSchema schema, Record row, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await AddAsync(schema, row, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the rows collected so far.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_builder is { Count: > 0 })
            await context.WriteAsync(port, _builder.Take(), cancellationToken).ConfigureAwait(false);
        _builder = null;
    }
}
