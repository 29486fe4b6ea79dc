namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>The retry rules of a sink, from its settings.</summary>
internal sealed record ApiSendPolicy
{
    /// <summary>Upper bound of one retry delay.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);

    public required IReadOnlySet<int> Recoverable { get; init; }
    public required IReadOnlySet<int> Yielding { get; init; }

    /// <summary>Item codes that, for a batch that may have reached the server before, mean "already delivered".</summary>
    public required IReadOnlySet<string> AlreadyDelivered { get; init; }

    public required int MaxRetries { get; init; }
    public required TimeSpan RetryDelay { get; init; }
    public required TimeSpan WaitBudget { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    /// <summary>Source of the jitter (seeded in tests).</summary>
    public Random Random { get; init; } = Random.Shared;

    public static ApiSendPolicy From(ApiSinkSettings settings, IEnumerable<string> alreadyDelivered)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ApiSendPolicy
        {
            Recoverable = settings.RecoverableCodes.ToHashSet(),
            Yielding = settings.YieldingCodes.ToHashSet(),
            AlreadyDelivered = alreadyDelivered.ToHashSet(StringComparer.Ordinal),
            MaxRetries = settings.MaxRetries,
            RetryDelay = TimeSpan.FromSeconds(settings.RetryDelaySeconds),
            WaitBudget = TimeSpan.FromSeconds(settings.TotalWaitBudgetSeconds),
            Headers = settings.Headers(),
        };
    }

    /// <summary>
    /// The wait before retry <paramref name="retry"/> (1-based): drawn from [d/2, d] with
    /// d = min(60 s, RetryDelay × 2^(retry-1)) ("equal jitter": spaced out, but not in step with the other requests).
    /// </summary>
    public TimeSpan Backoff(int retry)
    {
        var ceiling = Math.Min(MaxDelay.Ticks, RetryDelay.Ticks * Math.Pow(2, Math.Clamp(retry - 1, 0, 30)));
        // Jitter only spreads retries over time; it guards nothing, so a non-cryptographic source is right.
#pragma warning disable CA5394
        return TimeSpan.FromTicks((long)(ceiling / 2 + Random.NextDouble() * ceiling / 2));
#pragma warning restore CA5394
    }
}
