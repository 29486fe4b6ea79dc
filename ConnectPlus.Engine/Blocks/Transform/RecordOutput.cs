using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Transform;

/// <summary>
/// Collects rows for one output port into batches of the run's batch size, starting a new batch
/// when the rows' columns change (e.g. the next input file has another header).
/// </summary>
internal sealed class RecordOutput(BlockContext context, string port)
{
    private RecordBatchBuilder? _builder;

    /// <summary>Rows added so far.</summary>
    public long Count { get; private set; }

    public async ValueTask AddAsync(RecordSchema schema, Record row, CancellationToken cancellationToken)
    {
        if (_builder is not null && !_builder.Schema.SameColumns(schema))
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        _builder ??= new RecordBatchBuilder(schema, context.BatchSize);
        Count++;
        if (_builder.Add(row))
            await context.WriteAsync(port, _builder.Take(), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_builder is { Count: > 0 })
            await context.WriteAsync(port, _builder.Take(), cancellationToken).ConfigureAwait(false);
        _builder = null;
    }
}
