namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Paces the requests of one sink: at most <c>perMinute</c> requests a minute, spread evenly (one every
/// 60/perMinute seconds), and a pause that every request honours when the server asked to slow down
/// (a 429's Retry-After). Thread-safe; the requests in flight share it.
/// </summary>
internal sealed class ApiRateLimiter(int? perMinute, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly TimeSpan _interval = perMinute is { } n ? TimeSpan.FromTicks(TimeSpan.TicksPerMinute / n) : TimeSpan.Zero;
    private DateTimeOffset _next = DateTimeOffset.MinValue;
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    /// <summary>Waits for this request's turn.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        TimeSpan delay;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var slot = Max(now, Max(_next, _pausedUntil));
            _next = slot + _interval;
            delay = slot - now;
        }
        if (delay > TimeSpan.Zero) await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Holds every request back for <paramref name="wait"/> from now (the server asked to slow down).</summary>
    public void Pause(TimeSpan wait)
    {
        lock (_lock)
        {
            var until = time.GetUtcNow() + wait;
            if (until > _pausedUntil) _pausedUntil = until;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
