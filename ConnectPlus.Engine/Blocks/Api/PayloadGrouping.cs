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
            foreach (var row in batch.Rows)
            {
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

    private async ValueTask AddAsync(PayloadBinding binding, Record row, CancellationToken cancellationToken)
    {
        if (!binding.Groups)
        {
            _current.Add(row);
            if (_current.Count >= _rowsPerItem) await FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
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
            return;
        }
        if (_currentKey is not null && string.Equals(key, _currentKey, StringComparison.Ordinal))
        {
            if (_currentIsLate) await RejectLateAsync(binding, row, key, cancellationToken).ConfigureAwait(false);
            else _current.Add(row);
            return;
        }
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        _currentKey = key;
        _currentIsLate = WasClosed(key);
        if (_currentIsLate) await RejectLateAsync(binding, row, key, cancellationToken).ConfigureAwait(false);
        else _current.Add(row);
    }

    /// <summary>Builds the items collected so far (the current one, or every held one of the file).</summary>
    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_binding is null) return;
        if (_current.Count > 0)
        {
            await EmitAsync(_binding, _current, _currentKey, cancellationToken).ConfigureAwait(false);
            if (_currentKey is not null) Close(_currentKey);
            _current.Clear();
        }
        _currentKey = null;
        _currentIsLate = false;
        if (_order.Count == 0) return;
        context.Log(RunLogLevel.Info, $"{_file ?? "input"}: held {_held} row(s) in {_order.Count} item(s) until the end of the file (group mode wholeFile).");
        foreach (var key in _order)
            await EmitAsync(_binding, _groups[key], key, cancellationToken).ConfigureAwait(false);
        _groups.Clear();
        _order.Clear();
        _held = 0;
    }

    private async ValueTask EmitAsync(PayloadBinding binding, List<Record> rows, string? key, CancellationToken cancellationToken)
    {
        _rejects.Clear();
        var record = _builder.Build(binding, rows, key, _rejects, _withText);
        foreach (var reject in _rejects)
            await context.RejectAsync(binding.Input, rows[reject.Row], reject.Code, reject.Message, cancellationToken).ConfigureAwait(false);
        if (record is { } payload)
        {
            _items++;
            await _output.AddAsync(PayloadRecord.Schema, payload, cancellationToken).ConfigureAwait(false);
        }
    }

    private ValueTask RejectLateAsync(PayloadBinding binding, Record row, string key, CancellationToken cancellationToken)
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
