using System.Text.Json;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Reports items' results row by row: every source row of an item (its original columns, then the
/// result columns) goes to the <c>succeeded</c> output or is rejected with the API's code and message
/// (so unlinked rejects land in the run's error file with the result columns too). When nothing is
/// linked to <c>succeeded</c>, its rows are counted (in the same batches) but not built.
/// </summary>
internal sealed class ApiResultWriter(BlockContext context, string succeededPort, IReadOnlyList<string> resultColumns)
{
    /// <summary>api_status of an item the server took.</summary>
    public const string Success = "success";

    /// <summary>api_status of an item the server had already (a duplicate answer to a re-sent batch).</summary>
    public const string AlreadyDelivered = "already_delivered";

    /// <summary>api_status of an item refused, or of a request that failed for good.</summary>
    public const string Failed = "failed";

    private readonly Dictionary<string, Layout> _layouts = new(StringComparer.Ordinal);
    private readonly SourceRowsReader _sourceRows = new();
    private readonly int _batchSize = Math.Max(1, context.BatchSize);
    // Rows sent to "succeeded" only when a block receives them; otherwise only counted.
    private readonly bool _buildSucceeded = context.IsConnected(succeededPort);
    private Layout? _last;
    private RecordBatchBuilder? _succeeded;
    // Succeeded rows counted but not built (nothing receives them), not yet added to the stats.
    private int _counted;

    public long SucceededRows { get; private set; }
    public long RejectedRows { get; private set; }

    /// <summary>Writes the rows of one item with its result.</summary>
    /// <remarks>
    /// Succeeded rows are added without an async state machine while nothing has to be awaited (the
    /// usual case: a batch is written only every <c>BatchSize</c> rows, and its channel seldom makes it
    /// wait); from the first wait on, and for rejected items, <see cref="WriteRowsAsync"/> goes on.
    /// </remarks>
    public ValueTask WriteAsync(ApiItem item, ItemResult result, CancellationToken cancellationToken)
    {
        var (schema, rows) = SourceRows(item);
        var layout = LayoutFor(schema);
        if (result.Outcome == ItemOutcome.Rejected) return WriteRowsAsync(layout, rows, 0, result, cancellationToken);
        var count = rows.Count;
        for (var i = 0; i < count; i++)
        {
            if (!_buildSucceeded)
            {
                SucceededRows++;
                // What FlushAsync does when nothing is built: count the rows.
                if (++_counted == _batchSize) CountRows();
                continue;
            }
            // Rows of other columns start a batch (and a builder) of their own: left to the async path.
            if (_succeeded is not null && !ReferenceEquals(_succeeded.Schema, layout.Output)) return WriteRowsAsync(layout, rows, i, result, cancellationToken);
            SucceededRows++;
            _succeeded ??= new RecordBatchBuilder(layout.Output, _batchSize);
            var row = rows[i];
            if (!_succeeded.Add(new Record(layout.Values(row, result), row.Source))) continue;
            var flushing = FlushAsync(cancellationToken);
            if (!flushing.IsCompletedSuccessfully) return WriteRowsAfterAsync(flushing, layout, rows, i + 1, result, cancellationToken);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Awaits <paramref name="flushing"/>, then writes the rows from <paramref name="start"/> on.</summary>
    private async ValueTask WriteRowsAfterAsync(ValueTask flushing, Layout layout, IReadOnlyList<Record> rows, int start, ItemResult result, CancellationToken cancellationToken)
    {
        await flushing.ConfigureAwait(false);
        await WriteRowsAsync(layout, rows, start, result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the rows of an item from <paramref name="start"/> on.</summary>
    private async ValueTask WriteRowsAsync(Layout layout, IReadOnlyList<Record> rows, int start, ItemResult result, CancellationToken cancellationToken)
    {
        var count = rows.Count;
        for (var i = start; i < count; i++)
        {
            var row = rows[i];
            if (result.Outcome == ItemOutcome.Rejected)
            {
                RejectedRows++;
                await context.RejectAsync(layout.Output, new Record(layout.Values(row, result), row.Source), result.Code ?? "API_ERROR", result.Message ?? "The API refused the item.", cancellationToken).ConfigureAwait(false);
                continue;
            }
            SucceededRows++;
            if (!_buildSucceeded)
            {
                if (++_counted == _batchSize) await FlushAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (_succeeded is not null && !ReferenceEquals(_succeeded.Schema, layout.Output))
            {
                // Rows of other columns start a batch (and a builder) of their own.
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                _succeeded = null;
            }
            _succeeded ??= new RecordBatchBuilder(layout.Output, _batchSize);
            if (_succeeded.Add(new Record(layout.Values(row, result), row.Source))) await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What writing a batch to an output without links does: count its rows.</summary>
    private void CountRows()
    {
        context.Stats.AddRowsOut(_counted);
        _counted = 0;
    }

    /// <summary>Sends the rows still held.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_counted > 0) CountRows();
        if (_succeeded is null || _succeeded.Count == 0) return;
        await context.WriteAsync(succeededPort, _succeeded.Take(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The item's source rows; a payload whose source rows cannot be read stands for itself.</summary>
    private (RecordSchema Schema, IReadOnlyList<Record> Rows) SourceRows(ApiItem item)
    {
        if (item.Row.Attachment is PayloadItem built) return (built.SourceSchema, built.SourceRows);
        try
        {
            if (_sourceRows.TryRead(item.Schema, item.Row, out var fast)) return fast;
            var read = PayloadRecord.ReadSourceRows(item.Schema, item.Row);
            _sourceRows.Expect(read.Schema);
            return read;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            context.Log(RunLogLevel.Warning, $"{item.Row.Source}: the item's source rows cannot be read ({ex.Message}); its result is reported on the payload row itself.");
            return (item.Schema, [item.Row]);
        }
    }

    private Layout LayoutFor(RecordSchema schema)
    {
        if (_last is not null && (ReferenceEquals(_last.Input, schema) || _last.Input.SameColumns(schema))) return _last;
        var key = string.Join('\u001f', schema.Columns);
        if (!_layouts.TryGetValue(key, out var layout)) _layouts[key] = layout = new Layout(schema, resultColumns);
        return _last = layout;
    }

    /// <summary>Input columns (less any named like a result column: a re-fed result file) followed by the result columns.</summary>
    private sealed class Layout
    {
        private readonly int[] _map;
        // No input column is named like a result column: the input's values are copied as they are.
        private readonly bool _identity;

        public Layout(RecordSchema input, IReadOnlyList<string> resultColumns)
        {
            Input = input;
            var kept = Enumerable.Range(0, input.Count).Where(i => !resultColumns.Contains(input.Columns[i], StringComparer.Ordinal)).ToArray();
            _map = kept;
            _identity = kept.Length == input.Count;
            Output = new RecordSchema(kept.Select(i => input.Columns[i]).Concat(resultColumns));
        }

        public RecordSchema Input { get; }
        public RecordSchema Output { get; }

        public string?[] Values(Record row, ItemResult result)
        {
            var values = new string?[Output.Count];
            if (_identity)
            {
                // The input's columns as they are (missing trailing values stay null).
                var source = row.Values;
                source.AsSpan(0, Math.Min(source.Length, _map.Length)).CopyTo(values);
            }
            else
            {
                for (var i = 0; i < _map.Length; i++) values[i] = row[_map[i]];
            }
            var at = _map.Length;
            var status = result.Outcome switch
            {
                ItemOutcome.Succeeded => Success,
                ItemOutcome.AlreadyDelivered => AlreadyDelivered,
                _ => Failed,
            };
            ReadOnlySpan<string?> results = [status, result.Code, result.Message, result.EntityId, result.Points];
            for (var i = 0; at + i < values.Length && i < results.Length; i++) values[at + i] = results[i];
            return values;
        }
    }

    /// <summary>
    /// Reads <see cref="PayloadRecord.SourceRows"/> without building a document or a schema per item,
    /// while its objects name the columns of the items before, in the same order (the rows of one file
    /// do); anything else is left to <see cref="PayloadRecord.ReadSourceRows"/>, whose columns are then expected.
    /// </summary>
    private sealed class SourceRowsReader
    {
        private RecordSchema? _schema;
        private string[] _columns = [];

        public void Expect(RecordSchema schema)
        {
            _schema = schema;
            _columns = [.. schema.Columns];
        }

        public bool TryRead(RecordSchema schema, Record row, out (RecordSchema Schema, IReadOnlyList<Record> Rows) result)
        {
            result = default;
            var index = schema.IndexOf(PayloadRecord.SourceRows);
            var text = index < 0 ? null : row[index];
            if (string.IsNullOrEmpty(text))
            {
                result = (schema, [row]);
                return true;
            }
            if (_schema is null) return false;
            var rows = new List<Record>(2);
            if (!SourceRowsText.TryRead(text, _columns, rows)) return false;
            result = (_schema, rows);
            return true;
        }
    }
}
