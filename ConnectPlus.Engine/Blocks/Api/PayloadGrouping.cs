using ConnectPlus.Engine.Blocks.Transform;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Expressions;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Brings the rows of each item together and hands them to the <see cref="PayloadItemBuilder"/>:
/// without group-by, every row (or every 'records per payload' rows) is an item; consecutive
/// grouping closes an item when the key changes; whole-file grouping holds a file's rows until it
/// ends. Items never span two input files nor two input schemas.
/// </summary>
internal sealed class PayloadGrouping(BlockContext context, PayloadPlan plan, BuildApiPayloadSettings settings) : IDisposable
{
    private readonly PayloadItemBuilder _builder = new(plan, settings.RowErrors);
    // An item is a whole bill (its JSON and its rows): batches of a fraction of the run's batch size keep
    // what waits in the link to the sink to a few megabytes, so that less of it lives through a collection.
    private readonly RecordOutput _output = new(context, "payloads", Math.Clamp(context.BatchSize / 8, 1, 128));
    private readonly FormulaEnvironment _environment = new() { Time = context.Time };
    private readonly List<PayloadReject> _rejects = [];
    private readonly bool _wholeFile = settings.GroupMode == PayloadGroupMode.WholeFile;
    private readonly int _rowsPerItem = Math.Max(1, settings.RecordsPerPayload);

    // The items' text columns are written only when a block other than an API sink reads them.
    private readonly bool _withText = context.ReceiversOf("payloads").Any(r => r.Block is not IPayloadItemReceiver sink || !sink.ReadsPayloadItems(r.Port));

    // Consecutive grouping: the item being collected, and the keys of the items already built from this file.
    private readonly List<Record> _current = [];
    private string? _currentKey;
    private bool _currentIsLate;
    // The keys closed in this file, as 64-bit hashes: appended to a list (8 bytes each, in order) while no key
    // needs looking up, and put in a set on the first one that does. The greatest key closed (ordinal) tells:
    // a key above it cannot have been built before, so sorted input (the usual case) never needs the set.
    private readonly HashLog _closedList = new();
    private HashSet<ulong>? _closedSet;
    private string? _maxClosed;

    // Whole-file grouping: the file's items in order of first appearance.
    private readonly Dictionary<string, List<Record>> _groups = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private long _held;

    private PayloadBinding? _binding;
    private string? _file;
    private long _items;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var batch in context.ReadRecordsAsync("records", cancellationToken).ConfigureAwait(false))
        {
            if (batch.Count == 0) continue;
            if (_binding is null || !_binding.Input.SameColumns(batch.Schema))
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                _binding = PayloadBinding.For(plan, batch.Schema, _environment, batch.Rows[0].Source.File);
            }
            // A batch's rows are an array (RecordBatch takes one): indexing it skips an enumerator per batch and an interface call per row.
            var rows = batch.Rows as Record[] ?? [.. batch.Rows];
            for (var i = 0; i < rows.Length; i++)
            {
                var row = rows[i];
                if (!string.Equals(row.Source.File, _file, StringComparison.Ordinal))
                {
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                    _file = row.Source.File;
                    _closedList.Clear();
                    _closedSet = null;
                    _maxClosed = null;
                }
                await AddAsync(_binding, row, cancellationToken).ConfigureAwait(false);
            }
        }
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        context.Log(RunLogLevel.Info, $"Built {_items} {plan.Template.Name} item(s).");
    }

    public void Dispose() => _builder.Dispose();

    // Not async methods down to the output: a row joins its item, and an item goes out, without a state machine;
    // only a step that has to wait (a full batch downstream, a reject) continues in an async method.
    private ValueTask AddAsync(PayloadBinding binding, in Record row, CancellationToken cancellationToken)
    {
        if (!binding.Groups)
        {
            _current.Add(row);
            return _current.Count >= _rowsPerItem ? FlushAsync(cancellationToken) : default;
        }
        var key = binding.GroupKey(row);
        if (_wholeFile)
        {
            if (!_groups.TryGetValue(key, out var group))
            {
                _groups[key] = group = [];
                _order.Add(key);
            }
            group.Add(row);
            _held++;
            return default;
        }
        if (_currentKey is not null && string.Equals(key, _currentKey, StringComparison.Ordinal))
        {
            if (_currentIsLate) return RejectLateAsync(binding, row, key, cancellationToken);
            _current.Add(row);
            return default;
        }
        var flushing = FlushAsync(cancellationToken);
        if (!flushing.IsCompletedSuccessfully) return StartAfterFlushAsync(flushing, binding, row, key, cancellationToken);
        flushing.GetAwaiter().GetResult();
        return Start(binding, row, key, cancellationToken);
    }

    private async ValueTask StartAfterFlushAsync(ValueTask flushing, PayloadBinding binding, Record row, string key, CancellationToken cancellationToken)
    {
        await flushing.ConfigureAwait(false);
        await Start(binding, row, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the item of a new key with its first row (rejected when the key was already built).</summary>
    private ValueTask Start(PayloadBinding binding, in Record row, string key, CancellationToken cancellationToken)
    {
        _currentKey = key;
        _currentIsLate = WasClosed(key);
        if (_currentIsLate) return RejectLateAsync(binding, row, key, cancellationToken);
        _current.Add(row);
        return default;
    }

    /// <summary>Builds the items collected so far (the current one, or every held one of the file).</summary>
    private ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_binding is null) return default;
        if (_current.Count > 0)
        {
            var emitting = EmitAsync(_binding, _current, _currentKey, cancellationToken);
            if (!emitting.IsCompletedSuccessfully) return FlushAfterEmitAsync(emitting, cancellationToken);
            emitting.GetAwaiter().GetResult();
            CloseCurrent();
        }
        _currentKey = null;
        _currentIsLate = false;
        return _order.Count == 0 ? default : FlushHeldAsync(cancellationToken);
    }

    private async ValueTask FlushAfterEmitAsync(ValueTask emitting, CancellationToken cancellationToken)
    {
        await emitting.ConfigureAwait(false);
        CloseCurrent();
        _currentKey = null;
        _currentIsLate = false;
        if (_order.Count > 0) await FlushHeldAsync(cancellationToken).ConfigureAwait(false);
    }

    private void CloseCurrent()
    {
        if (_currentKey is not null) Close(_currentKey);
        _current.Clear();
    }

    /// <summary>Builds the items held until the end of the file (group mode wholeFile).</summary>
    private async ValueTask FlushHeldAsync(CancellationToken cancellationToken)
    {
        if (_binding is null) return;
        context.Log(RunLogLevel.Info, $"{_file ?? "input"}: held {_held} row(s) in {_order.Count} item(s) until the end of the file (group mode wholeFile).");
        foreach (var key in _order)
            await EmitAsync(_binding, _groups[key], key, cancellationToken).ConfigureAwait(false);
        _groups.Clear();
        _order.Clear();
        _held = 0;
    }

    private ValueTask EmitAsync(PayloadBinding binding, List<Record> rows, string? key, CancellationToken cancellationToken)
    {
        _rejects.Clear();
        var built = _builder.TryBuild(binding, rows, key, _rejects, _withText, out var payload);
        if (_rejects.Count > 0) return RejectThenAddAsync(binding, rows, built, payload, cancellationToken);
        if (!built) return default;
        _items++;
        return _output.AddAsync(PayloadRecord.Schema, payload, cancellationToken);
    }

    private async ValueTask RejectThenAddAsync(PayloadBinding binding, List<Record> rows, bool built, Record payload, CancellationToken cancellationToken)
    {
        foreach (var reject in _rejects)
            await context.RejectAsync(binding.Input, rows[reject.Row], reject.Code, reject.Message, cancellationToken).ConfigureAwait(false);
        if (built)
        {
            _items++;
            await _output.AddAsync(PayloadRecord.Schema, payload, cancellationToken).ConfigureAwait(false);
        }
    }

    private ValueTask RejectLateAsync(PayloadBinding binding, in Record row, string key, CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", plan.GroupBy);
        return context.RejectAsync(binding.Input, row, BuildApiPayloadBlock.UnsortedErrorCode,
            $"The key '{key}' ({columns}) came back after other keys: its item was already built from the earlier rows, and a second item with the same key would be refused as a duplicate or complete the first wrongly. Sort the input by {columns}, or set 'Group mode' to wholeFile.",
            cancellationToken);
    }

    /// <summary>Whether an item with this key was already built from earlier rows of the file.</summary>
    private bool WasClosed(string key)
    {
        if (_maxClosed is null || string.CompareOrdinal(key, _maxClosed) > 0) return false;
        if (_closedSet is null)
        {
            _closedSet = _closedList.ToSet();
            _closedList.Clear();
        }
        return _closedSet.Contains(Hash(key));
    }

    private void Close(string key)
    {
        if (_closedSet is null) _closedList.Add(Hash(key));
        else _closedSet.Add(Hash(key));
        if (_maxClosed is null || string.CompareOrdinal(key, _maxClosed) > 0) _maxClosed = key;
    }

    /// <summary>64-bit FNV-1a of a key: remembering built keys costs 8 bytes each, not the key text.</summary>
    private static ulong Hash(string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    /// <summary>
    /// Hashes appended in chunks of 64K: 8 bytes each, and no copy of everything so far each time it
    /// grows (a list doubling its array would briefly hold 1.5 times as much).
    /// </summary>
    private sealed class HashLog
    {
        private const int ChunkSize = 1 << 16;
        private readonly List<ulong[]> _chunks = [];
        private int _inLast = ChunkSize;

        public void Add(ulong hash)
        {
            if (_inLast == ChunkSize)
            {
                _chunks.Add(new ulong[ChunkSize]);
                _inLast = 0;
            }
            _chunks[^1][_inLast++] = hash;
        }

        public HashSet<ulong> ToSet()
        {
            var set = new HashSet<ulong>((_chunks.Count - 1) * ChunkSize + _inLast);
            for (var c = 0; c < _chunks.Count; c++)
            {
                var chunk = _chunks[c];
                var used = c == _chunks.Count - 1 ? _inLast : ChunkSize;
                for (var i = 0; i < used; i++) set.Add(chunk[i]);
            }
            return set;
        }

        public void Clear()
        {
            _chunks.Clear();
            _inLast = ChunkSize;
        }
    }
}
