namespace ConnectPlus.Engine.Connectors;

/// <summary>
/// Retries an operation that failed with a transient <see cref="ConnectionException"/> (connection lost,
/// timeout, refused while a server restarts) with bounded exponential backoff and jitter. Anything else
/// (authentication, missing folder, a bug) goes to the caller at once. One policy serves every remote location.
/// </summary>
/// <remarks>
/// The delay before retry <c>n</c> (1-based) is drawn uniformly from [d/2, d] with
/// <c>d = min(MaxDelay, BaseDelay × 2^(n-1))</c> ("equal jitter"): the half that is kept spaces the attempts
/// out while a server restarts, the random half keeps many runs from retrying in step.
/// </remarks>
public sealed class RetryPolicy
{
    /// <param name="attempts">Attempts in all, the first included (1 = no retry).</param>
    /// <param name="baseDelay">Delay before the first retry; it doubles for each further one.</param>
    public RetryPolicy(int attempts, TimeSpan baseDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(baseDelay, TimeSpan.Zero);
        Attempts = attempts;
        BaseDelay = baseDelay;
    }

    /// <summary>One attempt, no retry.</summary>
    public static RetryPolicy None { get; } = new(1, TimeSpan.Zero);

    /// <summary>Attempts in all, the first included.</summary>
    public int Attempts { get; }

    /// <summary>Delay before the first retry.</summary>
    public TimeSpan BaseDelay { get; }

    /// <summary>Upper bound of any one delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock the delays run on (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Source of the jitter (a seeded one in tests).</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>Told before each retry (e.g. to write it to the run log): what failed, which attempt comes next and after how long.</summary>
    public Action<RetryNotice>? OnRetry { get; init; }

    /// <summary>The same policy with another retry observer.</summary>
    public RetryPolicy WithOnRetry(Action<RetryNotice>? onRetry) => new(Attempts, BaseDelay)
    {
        MaxDelay = MaxDelay,
        TimeProvider = TimeProvider,
        Random = Random,
        OnRetry = onRetry,
    };

    /// <summary>The delay before retry number <paramref name="retry"/> (1 = the second attempt).</summary>
    public TimeSpan DelayBefore(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var ceiling = Math.Min(MaxDelay.Ticks, BaseDelay.Ticks * Math.Pow(2, Math.Min(retry - 1, 30)));
        // Jitter only spreads retries over time; it guards nothing, so a non-cryptographic source is right.
#pragma warning disable CA5394
        return TimeSpan.FromTicks((long)(ceiling / 2 + Random.NextDouble() * ceiling / 2));
#pragma warning restore CA5394
    }

    /// <summary>Runs <paramref name="operation"/>, retrying transient failures.</summary>
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectionException ex) when (ex.Transient && attempt < Attempts)
            {
                var delay = DelayBefore(attempt);
                OnRetry?.Invoke(new RetryNotice(ex, attempt + 1, Attempts, delay));
                await Task.Delay(delay, TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs <paramref name="operation"/>, retrying transient failures.</summary>
    public Task ExecuteAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return ExecuteAsync(async ct =>
        {
            await operation(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }
}

/// <summary>A retry about to happen.</summary>
/// <param name="Failure">What failed (its message names the location and the operation).</param>
/// <param name="Attempt">The attempt about to start: 2 for the first retry.</param>
/// <param name="Attempts">Attempts in all, the first included.</param>
/// <param name="Delay">The wait before it.</param>
public sealed record RetryNotice(ConnectionException Failure, int Attempt, int Attempts, TimeSpan Delay)
{
    /// <summary>The line the run log shows, e.g. "sftp://…: could not list 'in': the connection was closed. Trying again in 1.2 s (attempt 2 of 3)."</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Failure.Message} Trying again in {Delay.TotalSeconds:0.0} s (attempt {Attempt} of {Attempts}).");
}
