using System.Buffers;
using System.Globalization;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Sends one batch until it has an answer for its items: recoverable failures (the policy's statuses,
/// timeouts, dropped connections) are retried with backoff up to the policy's count; yielding answers
/// (429) pause every request for the server's Retry-After, within the wait budget; any other answer
/// without per-item results is final. A batch that fails for good gets every item rejected with the
/// last failure; a refused sign-in throws (the run cannot go on).
/// </summary>
internal sealed class ApiRequestSender(IApiClient client, IApiTarget target, ApiSendPolicy policy, ApiRateLimiter limiter, TimeProvider time, Action<RunLogLevel, string> log)
{
    private long _requests, _retries, _waitedTicks;

    public long Requests => Interlocked.Read(ref _requests);
    public long Retries => Interlocked.Read(ref _retries);
    public TimeSpan Waited => TimeSpan.FromTicks(Interlocked.Read(ref _waitedTicks));

    /// <summary>How long each answered attempt waited for its answer (sign-in included when it had to sign in).</summary>
    public AnswerTimes AnswerTimes { get; } = new();

    public async Task<BatchOutcome> SendAsync(ApiBatch batch, CancellationToken cancellationToken)
    {
        using var body = new PooledBody(EstimateSize(batch));
        target.WriteBody(batch, body);
        var outcome = await SendAsync(batch, body, cancellationToken).ConfigureAwait(false);
        // Only now that every attempt has its whole answer is the body surely read no more: its buffer
        // goes back to the pool. A send that threw leaves it to the garbage collector.
        body.Release();
        return outcome;
    }

    private async Task<BatchOutcome> SendAsync(ApiBatch batch, PooledBody body, CancellationToken cancellationToken)
    {
        var retries = 0;
        var yields = 0;
        var waited = TimeSpan.Zero;
        // After a timeout or a gateway error the server may have done the work all the same.
        var mayHaveArrived = batch.Resumed;
        for (var attempt = 1; ; attempt++)
        {
            await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            // A fault elsewhere (a refused sign-in) stopped the run while this batch waited: send nothing more.
            cancellationToken.ThrowIfCancellationRequested();
            Interlocked.Increment(ref _requests);
            ApiResponse response;
            var started = time.GetTimestamp();
            try
            {
                response = await client.SendAsync(target.Method, target.Url, body.Written, policy.Headers, cancellationToken).ConfigureAwait(false);
                AnswerTimes.Add(time.GetElapsedTime(started));
            }
            catch (ConnectionException ex) when (ex.Transient)
            {
                mayHaveArrived = true;
                var code = ex.Failure == ConnectionFailure.Timeout ? "TIMEOUT" : "NETWORK";
                if (retries == policy.MaxRetries) return Failed(batch, code, $"{ex.Message} Gave up after {attempt} attempts.", attempt);
                retries++;
                await RetryAsync(batch, retries, ex.Message, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // The answer's body is read only in this attempt (results and messages are texts of their own):
            // its pooled buffer goes back once the attempt is judged.
            try
            {
                if (target.ReadResults(response, batch) is { } results)
                    return new BatchOutcome(batch, mayHaveArrived ? AlreadyDelivered(results) : results, Acknowledged: true, attempt);

                var status = response.Status;
                if (policy.Yielding.Contains(status))
                {
                    yields++;
                    var wait = response.RetryAfter ?? policy.Backoff(yields);
                    if (waited + wait > policy.WaitBudget)
                    {
                        return Failed(batch, Code(status),
                            $"The server kept answering {status} (slow down): {waited.TotalSeconds:0} s waited, and waiting {wait.TotalSeconds:0} s more would pass the total wait budget of {policy.WaitBudget.TotalSeconds:0} s (Total wait budget seconds).", attempt);
                    }
                    waited += wait;
                    Interlocked.Add(ref _waitedTicks, wait.Ticks);
                    limiter.Pause(wait);
                    log(RunLogLevel.Debug, $"{batch}: the server answered {status}; every request waits {wait.TotalSeconds:0.#} s.");
                    continue;
                }
                if (policy.Recoverable.Contains(status))
                {
                    mayHaveArrived = true;
                    if (retries == policy.MaxRetries)
                        return Failed(batch, Code(status), $"The server answered {status} ({ServerWords(response)}), after {attempt} attempts.", attempt);
                    retries++;
                    await RetryAsync(batch, retries, $"the server answered {status}", cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var final = Failed(batch, Code(status), $"The server refused the request: {status} ({ServerWords(response)}).", attempt);
                return mayHaveArrived ? final with { Results = AlreadyDelivered(final.Results) } : final;
            }
            finally
            {
                response.Release();
            }
        }
    }

    /// <summary>Duplicate answers to a batch that may have arrived before count as delivered.</summary>
    private List<ItemResult> AlreadyDelivered(IReadOnlyList<ItemResult> results) =>
        [.. results.Select(r => r.Outcome == ItemOutcome.Rejected && r.Code is { } code && policy.AlreadyDelivered.Contains(code)
            ? r with { Outcome = ItemOutcome.AlreadyDelivered }
            : r)];

    private async Task RetryAsync(ApiBatch batch, int retry, string reason, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _retries);
        var delay = policy.Backoff(retry);
        log(RunLogLevel.Info, $"{batch}: {reason.TrimEnd('.')}; retry {retry} of {policy.MaxRetries} in {delay.TotalSeconds:0.#} s.");
        await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
    }

    private BatchOutcome Failed(ApiBatch batch, string code, string message, int attempts)
    {
        log(RunLogLevel.Warning, $"{batch}: {message} Its {batch.Items.Count} items are rejected.");
        return new BatchOutcome(batch, [.. batch.Items.Select(_ => ItemResult.Rejected(code, message))], Acknowledged: false, attempts);
    }

    private static string Code(int status) => status.ToString(CultureInfo.InvariantCulture);

    private static string ServerWords(ApiResponse response) => response.ServerMessage().TrimEnd('.');

    private static int EstimateSize(ApiBatch batch)
    {
        var size = 64;
        foreach (var item in batch.Items) size += item.Json.Length + 1;
        return size;
    }

    /// <summary>
    /// A request body in a buffer rented from the shared pool (a batch's body is tens of kilobytes, made
    /// for every request): returned by <see cref="Release"/>, or left to the collector when not released.
    /// </summary>
    private sealed class PooledBody(int size) : IBufferWriter<byte>, IDisposable
    {
        private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(256, size));
        private int _written;
        private bool _released;

        public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _written);

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsSpan(_written);
        }

        /// <summary>Gives the buffer back to the pool: nothing may read <see cref="Written"/> after this.</summary>
        public void Release() => _released = true;

        public void Dispose()
        {
            if (_released && _buffer is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
            _buffer = null;
        }

        private void Ensure(int sizeHint)
        {
            var needed = _written + Math.Max(1, sizeHint);
            if (needed <= _buffer!.Length) return;
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(0, _written).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
    }
}
