using System.Runtime.CompilerServices;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>
/// The input that streams through the join. It is read after the held inputs — except when they stall
/// while it has rows waiting, which happens when one upstream block feeds both (a self-join): then its
/// rows are read ahead into a spill file in the work folder, so the upstream can go on, and replayed first.
/// </summary>
internal sealed class StreamedInput(BlockContext context, string port, CancellationToken cancellationToken) : IAsyncDisposable
{
    private readonly IAsyncEnumerator<RecordBatch> _batches = context.ReadRecordsAsync(port, cancellationToken).GetAsyncEnumerator(cancellationToken);
    private Task<bool>? _pending;
    private RecordSpillFile? _spill;

    public string Port => port;

    /// <summary>Rows read ahead into the spill file.</summary>
    public long SpilledRows => _spill?.Rows ?? 0;

    /// <summary>Reads batches ahead into the spill file until <paramref name="until"/> completes or the input ends.</summary>
    public async Task SpillUntilAsync(Task until, CancellationToken cancellationToken)
    {
        while (true)
        {
            _pending ??= _batches.MoveNextAsync().AsTask();
            await Task.WhenAny(_pending, until).ConfigureAwait(false);
            if (!_pending.IsCompleted) return;
            if (!await _pending.ConfigureAwait(false)) return;
            _pending = null;
            _spill ??= new RecordSpillFile(Path.Combine(context.WorkFolder, $"{port}-{Guid.NewGuid():N}.spill"));
            await _spill.WriteAsync(_batches.Current, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every batch of the input, in order: the spilled ones first.</summary>
    public async IAsyncEnumerable<RecordBatch> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_spill is not null)
        {
            await foreach (var batch in _spill.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return batch;
        }
        if (_pending is not null)
        {
            var more = await _pending.ConfigureAwait(false);
            _pending = null;
            if (!more) yield break;
            yield return _batches.Current;
        }
        while (await _batches.MoveNextAsync().ConfigureAwait(false))
            yield return _batches.Current;
    }

    public async ValueTask DisposeAsync()
    {
        if (_spill is not null) await _spill.DisposeAsync().ConfigureAwait(false);
        // A read still in flight ends with the run's cancellation; disposing the reader under it is not allowed.
        if (_pending is { IsCompleted: false }) return;
        await _batches.DisposeAsync().ConfigureAwait(false);
    }
}
