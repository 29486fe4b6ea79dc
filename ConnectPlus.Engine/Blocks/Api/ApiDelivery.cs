using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Delivers the items of an API sink's input, shared by every API sink: cuts them into batches (per
/// source file, in arrival order, so a file always gives the same batches), skips batches an earlier
/// run had acknowledged, sends up to <c>parallelRequests</c> at once through an <see cref="ApiRequestSender"/>,
/// records each acknowledged batch in the <see cref="ICheckpointStore"/>, and reports every item's
/// source rows in input order (succeeded output or rejected).
/// </summary>
/// <remarks>
/// One task reads the input and starts requests; another reports their outcomes in the order the
/// batches were cut, and is the only one that writes to the block's outputs. Requests in flight are
/// bounded by a semaphore, outcomes waiting to be reported by a bounded channel: memory stays flat
/// whatever the input's size.
/// <para>
/// A fault that stops the run (a refused sign-in, a broken output) is recorded as the run's cause the
/// moment it happens, then everything is cancelled: no request starts after it (the sender and the
/// transport check the cancellation before each attempt). Requests already in flight at that moment
/// (up to <c>parallelRequests</c> - 1) are cancelled and awaited; one whose attempt had already
/// passed that check may still reach the server. Their outcomes are not reported.
/// </para>
/// </remarks>
internal sealed class ApiDelivery : IDisposable
{
    private readonly BlockContext _context;
    private readonly ApiSinkSettings _settings;
    private readonly IApiTarget _target;
    private readonly IApiItemReader _reader;
    private readonly ApiRequestSender _sender;
    private readonly ApiResultWriter _results;
    private readonly ICheckpointStore? _checkpoints;
    private readonly int _batchSize;
    private readonly SemaphoreSlim _slots;
    private readonly HashSet<string> _sources = new(StringComparer.Ordinal);
    private Dictionary<(string Source, long Batch), Checkpoint> _acknowledged = [];
    private HashSet<string> _resumedSources = new(StringComparer.Ordinal);
    // Files with checkpoints in the old digest form (an older version's run left them unfinished): the
    // cutter computes that form too for their batches, so those acknowledged batches are still skipped.
    private HashSet<string> _legacySources = new(StringComparer.Ordinal);
    private long _items, _skippedItems, _skippedBatches, _alreadyDelivered, _rejectedItems, _checkpointFailures;
    // The first fault that stopped the delivery: the producer, the reporter and the requests see only
    // cancellations after it, and the reporter may stop before it reaches the failed request's task.
    private Exception? _fault;

    public ApiDelivery(BlockContext context, ApiSinkSettings settings, IApiClient client, IApiTarget target, IApiItemReader reader,
        ApiSendPolicy policy, IReadOnlyList<string> resultColumns)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        _context = context;
        _settings = settings;
        _target = target;
        _reader = reader;
        _batchSize = Math.Max(1, Math.Min(settings.BatchSize, target.MaxItemsPerRequest));
        _slots = new SemaphoreSlim(settings.ParallelRequests, settings.ParallelRequests);
        var limiter = new ApiRateLimiter(settings.RateLimitPerMinute, context.Time);
        _sender = new ApiRequestSender(client, target, policy, limiter, context.Time, context.Log);
        _results = new ApiResultWriter(context, "succeeded", resultColumns);
        _checkpoints = context.Services?.GetService(typeof(ICheckpointStore)) as ICheckpointStore;
    }

    /// <summary>The source files whose items this run delivered (to forget their checkpoints once the run succeeded).</summary>
    public IReadOnlyCollection<string> Sources => _sources;

    /// <summary>Delivers everything that arrives on <paramref name="port"/>.</summary>
    public async Task RunAsync(string port, CancellationToken cancellationToken)
    {
        await LoadCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queue = Channel.CreateBounded<Task<BatchOutcome>>(new BoundedChannelOptions(_settings.ParallelRequests * 4)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var producing = ProduceAsync(port, queue.Writer, stop);
        var reporting = ReportAsync(queue.Reader, stop);
        try
        {
            await Task.WhenAll(producing, reporting).ConfigureAwait(false);
        }
        catch (Exception) when (Cause(producing, reporting) is ConnectionException { Failure: ConnectionFailure.AuthenticationFailed } refused)
        {
            throw new BlockException($"{refused.Message} The run stops: every further request would be refused.", refused) { Setting = "connection" };
        }
        catch (Exception) when (Cause(producing, reporting) is { } cause)
        {
            ExceptionDispatchInfo.Throw(cause);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            // Requests still in flight use the client, which the block disposes once this returns, and
            // their checkpoints the store: let every one that was started end (they were cancelled).
            while (queue.Reader.TryRead(out var pending)) await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            for (var i = 0; i < _settings.ParallelRequests; i++) await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            _slots.Release(_settings.ParallelRequests);
        }
        await _results.FlushAsync(cancellationToken).ConfigureAwait(false);
        LogSummary();
    }

    public void Dispose() => _slots.Dispose();

    private async Task LoadCheckpointsAsync(CancellationToken cancellationToken)
    {
        if (_checkpoints is null) return;
        var loaded = await _checkpoints.LoadAsync(_context.DataflowName, _context.NodeId, cancellationToken).ConfigureAwait(false);
        _acknowledged = [];
        foreach (var checkpoint in loaded) _acknowledged[(checkpoint.Source, checkpoint.Batch)] = checkpoint;
        _resumedSources = loaded.Select(c => c.Source).ToHashSet(StringComparer.Ordinal);
        _legacySources = loaded.Where(c => BatchCutter.IsLegacyDigest(c.Digest)).Select(c => c.Source).ToHashSet(StringComparer.Ordinal);
        if (_resumedSources.Count > 0)
        {
            _context.Log(RunLogLevel.Info, $"Resuming: earlier runs acknowledged {loaded.Count} batches of {string.Join(", ", _resumedSources.Order(StringComparer.Ordinal))} " +
                "without finishing; those batches are skipped when the files come again, and duplicate answers count as already delivered.");
        }
    }

    private async Task ProduceAsync(string port, ChannelWriter<Task<BatchOutcome>> queue, CancellationTokenSource stop)
    {
        var ct = stop.Token;
        try
        {
            var cutter = new BatchCutter(_batchSize, _legacySources);
            RecordSchema? schema = null;
            Func<Record, ItemRead>? read = null;
            await foreach (var batch in _context.ReadRecordsAsync(port, ct).ConfigureAwait(false))
            {
                if (!ReferenceEquals(batch.Schema, schema))
                {
                    schema = batch.Schema;
                    read = _reader.For(schema);
                }
                foreach (var row in batch.Rows)
                {
                    var item = read!(row);
                    if (item.Json is null)
                    {
                        await QueueAsync(queue, Task.FromResult(Unsendable(schema, row, item)), ct).ConfigureAwait(false);
                        continue;
                    }
                    var full = cutter.Add(new ApiItem(schema, row, item.Json), out var previous);
                    if (previous is not null) await DispatchAsync(previous, queue, stop).ConfigureAwait(false);
                    if (full is not null) await DispatchAsync(full, queue, stop).ConfigureAwait(false);
                }
            }
            foreach (var last in cutter.Flush()) await DispatchAsync(last, queue, stop).ConfigureAwait(false);
            queue.Complete();
        }
        catch (Exception ex)
        {
            queue.TryComplete(ex);
            await StopAsync(ex, stop).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Skips a batch acknowledged before, or starts sending it once a request slot is free.</summary>
    private async Task DispatchAsync(ApiBatch batch, ChannelWriter<Task<BatchOutcome>> queue, CancellationTokenSource stop)
    {
        var ct = stop.Token;
        _sources.Add(batch.Source);
        Interlocked.Add(ref _items, batch.Items.Count);
        if (_acknowledged.TryGetValue((batch.Source, batch.Index), out var done) && batch.Matches(done.Digest))
        {
            _skippedBatches++;
            _skippedItems += batch.Items.Count;
            NoteSkipped(batch, done);
            return;
        }
        FlushSkipNote();
        var toSend = _resumedSources.Contains(batch.Source) ? batch.AsResumed() : batch;
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        if (ct.IsCancellationRequested)
        {
            // A request that failed the run released this slot: start nothing more.
            _slots.Release();
            ct.ThrowIfCancellationRequested();
        }
        // The request releases its slot when it ends, however it ends.
        var sending = Task.Run(() => SendAsync(toSend, stop), CancellationToken.None);
        try
        {
            await QueueAsync(queue, sending, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not queued, so nobody else waits for it: it must end before the run's services go.
            await ((Task)sending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
    }

    private async Task<BatchOutcome> SendAsync(ApiBatch batch, CancellationTokenSource stop)
    {
        var ct = stop.Token;
        BatchOutcome outcome;
        try
        {
            outcome = await _sender.SendAsync(batch, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Stop at once, before this slot is free for another request. The fault is recorded first:
            // the reporter may see the cancellation before it reaches this request's task.
            await StopAsync(ex, stop).ConfigureAwait(false);
            throw;
        }
        finally
        {
            _slots.Release();
        }
        // Off the request slot: the next request goes out while the checkpoint reaches the disk (and
        // shares its flush with the other requests'). The batch's rows are reported only after it.
        if (outcome.Acknowledged) await RecordAsync(batch, ct).ConfigureAwait(false);
        return outcome;
    }

    private async Task RecordAsync(ApiBatch batch, CancellationToken ct)
    {
        if (_checkpoints is null) return;
        var checkpoint = new Checkpoint(_context.DataflowName, _context.NodeId, batch.Source, batch.Index, batch.Digest, batch.Items.Count, _context.RunId, _context.Time.GetUtcNow());
        try
        {
            await _checkpoints.RecordAsync(checkpoint, ct).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // The batch is delivered; only a resume after a crash would send it again (and count the duplicates as delivered).
            if (Interlocked.Increment(ref _checkpointFailures) == 1)
                _context.Log(RunLogLevel.Warning, $"Could not record that {batch} was delivered: {ex.Message} After a crash it would be sent again.");
        }
    }

    private static async ValueTask QueueAsync(ChannelWriter<Task<BatchOutcome>> queue, Task<BatchOutcome> outcome, CancellationToken ct) =>
        await queue.WriteAsync(outcome, ct).ConfigureAwait(false);

    private async Task ReportAsync(ChannelReader<Task<BatchOutcome>> queue, CancellationTokenSource stop)
    {
        var ct = stop.Token;
        try
        {
            await foreach (var pending in queue.ReadAllAsync(ct).ConfigureAwait(false))
            {
                var outcome = await pending.ConfigureAwait(false);
                await ReportAsync(outcome, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            await StopAsync(ex, stop).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Records <paramref name="fault"/> as the cause if it is the first real one, then cancels everything.</summary>
    private async Task StopAsync(Exception fault, CancellationTokenSource stop)
    {
        if (fault is not OperationCanceledException and not ChannelClosedException) Interlocked.CompareExchange(ref _fault, fault, null);
        await stop.CancelAsync().ConfigureAwait(false);
    }

    private async Task ReportAsync(BatchOutcome outcome, CancellationToken ct)
    {
        var already = 0;
        for (var i = 0; i < outcome.Batch.Items.Count; i++)
        {
            var result = outcome.Results[i];
            if (result.Outcome == ItemOutcome.AlreadyDelivered) already++;
            if (result.Outcome == ItemOutcome.Rejected) _rejectedItems++;
            await _results.WriteAsync(outcome.Batch.Items[i], result, ct).ConfigureAwait(false);
        }
        if (already > 0)
        {
            _alreadyDelivered += already;
            _context.Log(RunLogLevel.Info, $"{outcome.Batch}: {already} items already delivered (the server answered duplicate for a batch that had reached it before); reported as succeeded.");
        }
    }

    private static BatchOutcome Unsendable(RecordSchema schema, Record row, ItemRead read)
    {
        var item = new ApiItem(schema, row, []);
        var message = row.Source.File is null ? read.Message : $"{row.Source}: {read.Message}";
        return new BatchOutcome(new ApiBatch(row.Source.File ?? "", -1, [item], ""), [ItemResult.Rejected(read.Code, message)], Acknowledged: false, Attempts: 0);
    }

    private (string Source, long Count, long Items, HashSet<string> Runs)? _skipNote;

    private void NoteSkipped(ApiBatch batch, Checkpoint done)
    {
        if (_skipNote is { } note && note.Source != batch.Source) FlushSkipNote();
        var current = _skipNote ?? (batch.Source, 0, 0, new HashSet<string>(StringComparer.Ordinal));
        current.Runs.Add(done.RunId);
        _skipNote = (current.Source, current.Count + 1, current.Items + batch.Items.Count, current.Runs);
    }

    private void FlushSkipNote()
    {
        if (_skipNote is not { } note) return;
        _skipNote = null;
        var runs = string.Join(", ", note.Runs.Order(StringComparer.Ordinal));
        _context.Log(RunLogLevel.Info, string.Create(CultureInfo.InvariantCulture,
            $"{Display(note.Source)}: skipped {note.Count} batches ({note.Items:N0} items) already delivered by run {runs}."));
    }

    private void LogSummary()
    {
        FlushSkipNote();
        var c = CultureInfo.InvariantCulture;
        var text = string.Create(c, $"{_items:N0} items: {_sender.Requests:N0} requests ({_sender.Retries:N0} retries");
        if (_sender.Waited > TimeSpan.Zero) text += string.Create(c, $", {_sender.Waited.TotalSeconds:0} s waited on slow-down answers");
        text += ")";
        if (_sender.AnswerTimes.Describe() is { } answers) text += "; answers in " + answers;
        text += string.Create(c, $"; {_rejectedItems:N0} items rejected");
        if (_alreadyDelivered > 0) text += string.Create(c, $", {_alreadyDelivered:N0} already delivered");
        if (_skippedBatches > 0) text += string.Create(c, $", {_skippedItems:N0} skipped in {_skippedBatches:N0} batches delivered by an earlier run");
        _context.Log(RunLogLevel.Info, text + string.Create(c, $"; {_results.SucceededRows:N0} rows succeeded, {_results.RejectedRows:N0} rows rejected."));
    }

    private static string Display(string source) => source.Length == 0 ? "the input" : source;

    /// <summary>The first fault recorded, else the tasks' own (a cancellation of the run itself).</summary>
    private Exception? Cause(params Task[] tasks)
    {
        if (Volatile.Read(ref _fault) is { } fault) return fault;
        var errors = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).ToList();
        return errors.Find(e => e is not OperationCanceledException and not ChannelClosedException) ?? errors.FirstOrDefault();
    }

    /// <summary>
    /// Cuts items into batches: a batch ends when it is full or when the next item comes from another
    /// source file. Each batch's digest chains the file's earlier batches, so it names the file's content
    /// up to and including the batch.
    /// </summary>
    /// <remarks>
    /// The digest is XXH3-128 (not a cryptographic hash: it guards against a different file under the same
    /// name, not against an attacker) of the previous batch's digest (none for a file's first batch), then
    /// each item's JSON length (4 bytes, little-endian) and bytes; written <c>x3-</c> and 32 lowercase hex
    /// digits. Versions before it wrote the first 16 bytes of a SHA-256 chain over the same input (the full
    /// 32-byte previous hash, then the items), as 32 hex digits without prefix. A run that resumes a file
    /// with such checkpoints (<paramref name="legacySources"/>) computes that chain too for the file's
    /// batches (<see cref="ApiBatch.LegacyDigest"/>), and only then; new checkpoints are always the new form.
    /// </remarks>
    internal sealed class BatchCutter(int size, IReadOnlySet<string>? legacySources = null)
    {
        /// <summary>What starts a digest of the current form.</summary>
        public const string DigestPrefix = "x3-";

        private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

        // The current batch's items, in the array a full batch takes as its own (a new one is made after it).
        private ApiItem[] _items = new ApiItem[size];
        private int _count;
        // One hasher for every batch (GetHashAndReset makes it ready for the next).
        private readonly System.IO.Hashing.XxHash128 _hash = new();
        // The previous batch's digest (16 bytes), hashed first unless the batch is its file's first.
        private readonly byte[] _chain = new byte[16];
        private bool _chained;
        private string? _source;
        private long _index;
        // The old SHA-256 chain of the current file, when it has checkpoints in the old form; else null.
        private byte[]? _legacyChain;

        /// <summary>Whether a checkpoint's digest is of the form versions before the XXH3 digests wrote (32 lowercase hex digits).</summary>
        public static bool IsLegacyDigest(string digest) => digest.Length == 32 && !digest.AsSpan().ContainsAnyExcept(LowerHex);

        /// <summary>
        /// Adds an item. <paramref name="previous"/>: the previous file's last batch, when the item starts
        /// another file; the result: the batch the item fills, if it does.
        /// </summary>
        public ApiBatch? Add(ApiItem item, out ApiBatch? previous)
        {
            var source = item.Row.Source.File ?? "";
            previous = null;
            if (_source != source)
            {
                previous = Take();
                _source = source;
                _index = 0;
                _chained = false;
                _legacyChain = legacySources is not null && legacySources.Contains(source) ? [] : null;
            }
            _items[_count++] = item;
            return _count < size ? null : Take();
        }

        /// <summary>The last, partly filled batch.</summary>
        public IEnumerable<ApiBatch> Flush()
        {
            if (Take() is { } last) yield return last;
        }

        private ApiBatch? Take()
        {
            if (_count == 0) return null;
            if (_chained) _hash.Append(_chain);
            Span<byte> length = stackalloc byte[4];
            var taken = _items.AsSpan(0, _count);
            foreach (var item in taken)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, item.Json.Length);
                _hash.Append(length);
                _hash.Append(item.Json);
            }
            _hash.GetHashAndReset(_chain);
            _chained = true;
            var digest = string.Create(DigestPrefix.Length + 32, _chain, static (text, chain) =>
            {
                DigestPrefix.CopyTo(text);
                Convert.TryToHexStringLower(chain, text[DigestPrefix.Length..], out _);
            });
            var items = _count == _items.Length ? _items : taken.ToArray();
            var batch = new ApiBatch(_source ?? "", _index++, items, digest) { LegacyDigest = _legacyChain is null ? null : TakeLegacy() };
            if (ReferenceEquals(items, _items)) _items = new ApiItem[size];
            else taken.Clear();
            _count = 0;
            return batch;
        }

        /// <summary>The old form of the batch's digest, as versions before the XXH3 digests computed it (unchanged).</summary>
        private string TakeLegacy()
        {
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            hash.AppendData(_legacyChain!);
            Span<byte> length = stackalloc byte[4];
            foreach (var item in _items.AsSpan(0, _count))
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, item.Json.Length);
                hash.AppendData(length);
                hash.AppendData(item.Json);
            }
            _legacyChain = hash.GetHashAndReset();
            return Convert.ToHexStringLower(_legacyChain.AsSpan(0, 16));
        }
    }
}
