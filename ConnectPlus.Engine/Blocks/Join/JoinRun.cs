using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>One run of a <see cref="JoinBlock"/>: reads the held inputs, then streams the other through them.</summary>
internal sealed class JoinRun : IDisposable
{
    /// <summary>How often the held inputs are checked for a stall (see <see cref="ReadAheadWhenStalledAsync"/>).</summary>
    private static readonly TimeSpan StallCheck = TimeSpan.FromMilliseconds(50);
    private const int StalledChecksBeforeReadAhead = 4;
    private const string EmptyKeyCode = "JOIN_EMPTY_KEY";

    private readonly JoinSettings _settings;
    private readonly BlockContext _context;
    private readonly JoinType[] _types;
    private readonly JoinBuildSide[] _sides;
    private readonly JoinInputShape[] _shapes;
    private readonly PackedRowTable?[] _tables;
    private readonly SemaphoreSlim _rejectGate = new(1, 1);
    private readonly int _streamed;
    private long _heldRows;
    private int _heldReading;
    private int _heldWaiting;

    public JoinRun(JoinSettings settings, BlockContext context)
    {
        _settings = settings;
        _context = context;
        var count = ConnectedInputs(settings, context);
        _types = settings.JoinTypes.Count == 0 ? [.. Enumerable.Repeat(JoinType.LeftOuter, count - 1)] : [.. settings.JoinTypes];
        _sides = settings.BuildSides.Count == 0 ? [.. Enumerable.Repeat(JoinBuildSide.Right, count - 1)] : [.. settings.BuildSides];
        _shapes = [.. Enumerable.Range(0, count).Select(i => new JoinInputShape(i, settings.Inputs[i].KeyColumns))];
        _tables = new PackedRowTable?[count];
        // The last pair built on the left decides what streams: its joined input; otherwise input1.
        _streamed = Array.LastIndexOf(_sides, JoinBuildSide.Left) + 1;
    }

    private bool EmptyKeysMatch => _settings.EmptyKeys == JoinEmptyKeys.Match;

    public void Dispose() => _rejectGate.Dispose();

    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        var shape = _shapes[_streamed];
        var streamed = new StreamedInput(_context, shape.Port, cancellationToken);
        await using var disposeStreamed = streamed.ConfigureAwait(false);
        await ReadHeldInputsAsync(streamed, cancellationToken).ConfigureAwait(false);
        if (streamed.SpilledRows > 0)
        {
            _context.Log(RunLogLevel.Info,
                $"{shape.Port}: {streamed.SpilledRows:N0} rows were read ahead into a spill file while the held inputs stalled (an upstream block feeds both sides).");
        }

        var clock = Stopwatch.StartNew();
        var (pipeline, streamedRows) = await StreamAsync(streamed, shape, cancellationToken).ConfigureAwait(false);
        var joinedRows = pipeline.Output.Rows;
        var unmatched = await pipeline.Output.DrainUnmatchedHeldAsync(pipeline.Cursor, pipeline.Stages, cancellationToken).ConfigureAwait(false);
        await pipeline.Output.CompleteAsync(cancellationToken).ConfigureAwait(false);
        var extra = string.Concat(pipeline.Stages.Select((s, i) => s.KeepUnmatchedHeld ? $"; {unmatched[i]:N0} unmatched rows of {s.Name} added" : ""));
        _context.Log(RunLogLevel.Info,
            $"Joined {streamedRows:N0} rows of {shape.Port} through {string.Join(", ", pipeline.Stages.Select(s => s.Name))}: {joinedRows:N0} rows{extra}; {pipeline.Output.Rows:N0} rows out in {clock.Elapsed.TotalSeconds:0.0} s.");
    }

    /// <summary>Streams every row of the streamed input through the held sides; the pipeline is laid out at the first batch.</summary>
    private async Task<(Pipeline Pipeline, long Rows)> StreamAsync(StreamedInput streamed, JoinInputShape shape, CancellationToken cancellationToken)
    {
        Pipeline? pipeline = null;
        StreamedKeys? keys = null;
        long streamedRows = 0;
        await foreach (var batch in streamed.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            shape.Accept(batch.Schema, _context);
            pipeline ??= await PrepareAsync(cancellationToken).ConfigureAwait(false);
            keys ??= new StreamedKeys(new JoinKeyEncoder(shape.KeyColumns, _settings.TrimKeys, _settings.IgnoreCase));
            var rows = batch.Rows;
            keys.Encode(rows, shape);
            for (var r = 0; r < rows.Count; r++)
            {
                keys.PrefetchAfter(r, pipeline.Stages);
                var row = rows[r];
                var empty = keys.IsEmpty(r);
                if (empty && _settings.EmptyKeys == JoinEmptyKeys.Reject)
                {
                    await RejectEmptyKeyAsync(shape, batch.Schema, row, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                pipeline.Cursor.StartStreamed(shape.Values(row), keys.Key(r), keys.Hash(r), !empty || EmptyKeysMatch, row.Source);
                await pipeline.Output.DrainAsync(pipeline.Cursor, cancellationToken).ConfigureAwait(false);
            }
            streamedRows += rows.Count;
        }
        pipeline ??= await PrepareAsync(cancellationToken).ConfigureAwait(false);
        return (pipeline, streamedRows);
    }

    private static int ConnectedInputs(JoinSettings settings, BlockContext context)
    {
        var connected = Enumerable.Range(1, 4).Where(i => context.IsConnected($"input{i}")).ToList();
        var count = connected.Count == 0 ? 0 : connected[^1];
        if (connected.Count != count)
        {
            var gap = Enumerable.Range(1, count).First(i => !connected.Contains(i));
            throw new BlockException($"input{count} is connected but input{gap} is not; connect the inputs in order (input3 before input4).");
        }
        if (settings.Inputs.Count != count)
        {
            throw new BlockException(
                $"{count} inputs are connected (input1 to input{count}) but Inputs has {settings.Inputs.Count} entries; give one entry, with its key columns, per connected input.")
            {
                Setting = "inputs",
            };
        }
        return count;
    }

    private async Task ReadHeldInputsAsync(StreamedInput streamed, CancellationToken cancellationToken)
    {
        using var group = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _heldReading = _shapes.Length - 1;
        var reads = _shapes.Where(s => s.Index != _streamed)
            .Select(s => Task.Run(() => CancelOthersOnFailureAsync(() => ReadHeldAsync(s, group.Token), group), CancellationToken.None))
            .ToArray();
        var allRead = Task.WhenAll(reads);
        // Reading ahead is only ever needed when the streamed input's upstream also feeds a held input;
        // otherwise a slow held input is just slow, and spilling would cost time for nothing.
        var mayStarve = _shapes.Any(s => s.Index != _streamed && _context.MayStarve(streamed.Port, s.Port));
        var watch = mayStarve
            ? CancelOthersOnFailureAsync(() => ReadAheadWhenStalledAsync(allRead, streamed, group.Token), group)
            : Task.CompletedTask;
        await WhenAllAsync([.. reads, watch]).ConfigureAwait(false);
    }

    private async Task ReadHeldAsync(JoinInputShape shape, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        PackedRowTable? table = null;
        JoinKeyEncoder? encoder = null;
        var batches = _context.ReadRecordsAsync(shape.Port, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await NextHeldBatchAsync(batches).ConfigureAwait(false))
            {
                var batch = batches.Current;
                shape.Accept(batch.Schema, _context);
                table ??= new PackedRowTable(shape.Columns.Count);
                encoder ??= new JoinKeyEncoder(shape.KeyColumns, _settings.TrimKeys, _settings.IgnoreCase);
                var rows = batch.Rows;
                for (var r = 0; r < rows.Count; r++)
                {
                    var row = rows[r];
                    var values = shape.Values(row);
                    var empty = encoder.Encode(values);
                    if (empty && _settings.EmptyKeys == JoinEmptyKeys.Reject)
                    {
                        await RejectEmptyKeyAsync(shape, batch.Schema, row, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    table.Add(encoder.Key, !empty || EmptyKeysMatch, values, row.Source);
                }
                Interlocked.Add(ref _heldRows, rows.Count);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _heldReading);
            await batches.DisposeAsync().ConfigureAwait(false);
        }
        table ??= new PackedRowTable(shape.Columns.Count);
        // input1's rows are only streamed again (build side left from the third input on); the others are probed.
        if (shape.Index > 0 || _streamed == 1) table.BuildIndex();
        _tables[shape.Index] = table;
        _context.Log(RunLogLevel.Info, $"{shape.Port}: {table.Count:N0} rows held for the join in {clock.Elapsed.TotalSeconds:0.0} s ({table.MemoryBytes / 1048576.0:0.0} MB).");
    }

    /// <summary>Next batch of a held input, counting the readers that wait for their upstream.</summary>
    private async ValueTask<bool> NextHeldBatchAsync(IAsyncEnumerator<RecordBatch> batches)
    {
        var next = batches.MoveNextAsync();
        if (next.IsCompleted) return await next.ConfigureAwait(false);
        Interlocked.Increment(ref _heldWaiting);
        try
        {
            return await next.ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _heldWaiting);
        }
    }

    /// <summary>
    /// Reads the streamed input ahead into a spill file once every held input still being read has been
    /// waiting for rows, with none arriving, at several checks in a row: their upstream is stuck, most likely
    /// behind the streamed input's full link. Several checks, not one long wait, so a long GC pause is no stall.
    /// </summary>
    private async Task ReadAheadWhenStalledAsync(Task allRead, StreamedInput streamed, CancellationToken cancellationToken)
    {
        var stalledChecks = 0;
        var seen = -1L;
        while (!allRead.IsCompleted)
        {
            await Task.WhenAny(allRead, Task.Delay(StallCheck, _context.Time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (allRead.IsCompleted) return;
            var rows = Interlocked.Read(ref _heldRows);
            var waiting = Volatile.Read(ref _heldWaiting);
            var stalled = rows == seen && waiting > 0 && waiting >= Volatile.Read(ref _heldReading);
            stalledChecks = stalled ? stalledChecks + 1 : 0;
            seen = rows;
            if (stalledChecks < StalledChecksBeforeReadAhead) continue;
            await streamed.SpillUntilAsync(allRead, cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    private async Task<Pipeline> PrepareAsync(CancellationToken cancellationToken)
    {
        var prefixes = _settings.Inputs.Select((input, i) => input.Prefix ?? $"in{i + 1}_").ToList();
        var layout = JoinLayout.Create(_shapes, prefixes, _settings.KeepJoinedKeys);
        var coalesce = _settings.KeepJoinedKeys ? null : layout.Input1KeyPositions;
        var stages = new List<JoinStage>();
        int[] order;
        if (_streamed == 0)
        {
            order = [-1, .. Enumerable.Range(0, _shapes.Length - 1)];
        }
        else
        {
            stages.Add(await HeldLeftStageAsync(layout, coalesce, cancellationToken).ConfigureAwait(false));
            order = [0, -1, .. Enumerable.Range(1, _shapes.Length - 1 - _streamed)];
        }
        for (var p = _streamed + 1; p < _shapes.Length; p++) stages.Add(HeldRightStage(p, layout));
        var streamed = _shapes[_streamed];
        var cursor = new JoinCursor([.. stages], layout.Maps[_streamed], streamed.KeyColumns, order, coalesce, layout.Schema.Count);
        return new Pipeline(cursor, stages, new OutputSink(_context, "records", layout.Schema));
    }

    private JoinStage HeldRightStage(int input, JoinLayout layout)
    {
        var (keepStreamed, keepHeld) = JoinStage.Keeps(_types[input - 1], heldIsLeft: false);
        return new JoinStage(_shapes[input].Port, _tables[input]!, layout.Maps[input], _shapes[input].KeyColumns, keepStreamed, keepHeld);
    }

    /// <summary>The rows so far held for the last pair built on the left: input1 itself, or the join of the inputs before it.</summary>
    private async Task<JoinStage> HeldLeftStageAsync(JoinLayout layout, int[]? coalesce, CancellationToken cancellationToken)
    {
        var (keepStreamed, keepHeld) = JoinStage.Keeps(_types[_streamed - 1], heldIsLeft: true);
        if (_streamed == 1)
            return new JoinStage("input1", _tables[0]!, layout.Maps[0], _shapes[0].KeyColumns, keepStreamed, keepHeld);

        var stages = Enumerable.Range(1, _streamed - 1).Select(p => HeldRightStage(p, layout)).ToList();
        var input1 = _shapes[0];
        var cursor = new JoinCursor([.. stages], layout.Maps[0], input1.KeyColumns, [-1, .. Enumerable.Range(0, stages.Count)], coalesce, layout.Schema.Count);
        var width = layout.Maps.Take(_streamed).Sum(m => m.Count(p => p >= 0));
        var sink = new TableSink(new PackedRowTable(width), layout.Schema.Count);
        var rows = _tables[0]!;
        var encoder = new JoinKeyEncoder(input1.KeyColumns, _settings.TrimKeys, _settings.IgnoreCase);
        var identity = Enumerable.Range(0, input1.Columns.Count).ToArray();
        var values = new string?[identity.Length];
        for (var r = 0; r < rows.Count; r++)
        {
            if ((r & 0xFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            rows.Decode(r, identity, values);
            var empty = encoder.Encode(values);
            cursor.StartStreamed(values, encoder.Key, PackedRowTable.Hash(encoder.Key), !empty || EmptyKeysMatch, rows.Source(r));
            await sink.DrainAsync(cursor, cancellationToken).ConfigureAwait(false);
        }
        await sink.DrainUnmatchedHeldAsync(cursor, stages, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < _streamed; i++) _tables[i] = null;
        var name = $"input1 to input{_streamed}";
        _context.Log(RunLogLevel.Info, $"{name}: {sink.Table.Count:N0} joined rows held for the join ({sink.Table.MemoryBytes / 1048576.0:0.0} MB).");
        return new JoinStage(name, sink.Table, [.. Enumerable.Range(0, width)], layout.Input1KeyPositions, keepStreamed, keepHeld);
    }

    private async ValueTask RejectEmptyKeyAsync(JoinInputShape shape, RecordSchema schema, Record row, CancellationToken cancellationToken)
    {
        var keys = string.Join(", ", _settings.Inputs[shape.Index].KeyColumns);
        // Held inputs are read at the same time; the context's reject path takes one writer at a time.
        await _rejectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _context.RejectAsync(schema, row, EmptyKeyCode,
                $"The key ({keys}) of this {shape.Port} row is empty; rows with an empty key are rejected (Empty keys: reject).",
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _rejectGate.Release();
        }
    }

    private static async Task CancelOthersOnFailureAsync(Func<Task> work, CancellationTokenSource group)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch
        {
            await group.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits for all; on failure throws the first real cause rather than a cancellation it led to.</summary>
    private static async Task WhenAllAsync(Task[] tasks)
    {
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (tasks.Any(t => t.Exception?.InnerException is { } e && e is not OperationCanceledException))
        {
            var cause = tasks.Select(t => t.Exception?.InnerException).First(e => e is not null and not OperationCanceledException)!;
            ExceptionDispatchInfo.Throw(cause);
        }
    }

    private sealed record Pipeline(JoinCursor Cursor, List<JoinStage> Stages, OutputSink Output);
}
