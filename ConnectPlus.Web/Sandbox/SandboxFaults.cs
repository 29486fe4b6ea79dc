using Microsoft.Extensions.Options;

namespace ConnectPlus.Web.Sandbox;

/// <summary>A call refused before processing: a gateway error or a 429 (with Retry-After seconds).</summary>
internal readonly record struct SandboxRefusal(int Status, int RetryAfterSeconds, string Reason);

/// <summary>
/// Decides, per call, the faults that <see cref="SandboxFaultSettings"/> ask for. Random draws come
/// from one generator under a lock, so a seed makes a sequential run repeatable; the rate limit counts
/// calls per caller in fixed windows of one minute on the injected clock.
/// </summary>
internal sealed class SandboxFaultInjector
{
    private static readonly int[] GatewayStatuses = [502, 503, 504];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<string, (long Minute, int Count)> _windows = new(StringComparer.Ordinal);
    private SandboxFaultSettings _settings;
    private Random _random;

    public SandboxFaultInjector(TimeProvider time, IOptions<SandboxOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        Configured = options.Value.Faults with { };
        _settings = Configured;
        _random = NewRandom(Configured.Seed);
    }

    /// <summary>The settings from appsettings.json, to restore from the page.</summary>
    public SandboxFaultSettings Configured { get; }

    public SandboxFaultSettings Settings => Volatile.Read(ref _settings);

    /// <summary>Raised after the settings changed.</summary>
    public event Action? Changed;

    /// <summary>Publishes new settings (and reseeds); returns what is wrong with them instead when they are invalid.</summary>
    public IReadOnlyList<string> Update(SandboxFaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = settings.Validate().ToList();
        if (errors.Count > 0) return errors;
        lock (_gate)
        {
            Volatile.Write(ref _settings, settings with { });
            _random = NewRandom(settings.Seed);
            _windows.Clear();
        }
        Changed?.Invoke();
        return errors;
    }

    public TimeSpan NextLatency()
    {
        var settings = Settings;
        var jitter = 0;
        if (settings.LatencyJitterMs > 0)
        {
            lock (_gate) jitter = _random.Next(0, settings.LatencyJitterMs + 1);
        }
        return TimeSpan.FromMilliseconds(settings.LatencyMs + jitter);
    }

    /// <summary>A 5xx or 429 drawn by the configured shares, or null to let the call through.</summary>
    public SandboxRefusal? NextGatewayFault()
    {
        var settings = Settings;
        if (settings.ServerErrorShare <= 0 && settings.TooManyRequestsShare <= 0) return null;
        lock (_gate)
        {
            var draw = _random.NextDouble();
            if (draw < settings.ServerErrorShare)
                return new SandboxRefusal(GatewayStatuses[_random.Next(GatewayStatuses.Length)], 0, "injected server error");
            if (draw < settings.ServerErrorShare + settings.TooManyRequestsShare)
                return new SandboxRefusal(429, settings.RetryAfterSeconds, "injected 429");
        }
        return null;
    }

    /// <summary>Counts a call of the caller; a 429 refusal when the caller used up this minute's calls.</summary>
    public SandboxRefusal? TakeRateLimit(string caller)
    {
        var limit = Settings.RateLimitPerMinute;
        if (limit <= 0) return null;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var minute = now / 60_000;
        lock (_gate)
        {
            var window = _windows.TryGetValue(caller, out var w) && w.Minute == minute ? w : (Minute: minute, Count: 0);
            if (window.Count >= limit)
            {
                var retryAfter = (int)Math.Ceiling(((minute + 1) * 60_000 - now) / 1000.0);
                return new SandboxRefusal(429, Math.Max(1, retryAfter), $"rate limit {limit}/min");
            }
            _windows[caller] = (minute, window.Count + 1);
        }
        return null;
    }

    /// <summary>Whether this processed call's response is "lost" (answered 504).</summary>
    public bool NextLostResponse() => Draw(Settings.LostResponseShare);

    /// <summary>Whether this otherwise valid item fails with the injected item failure.</summary>
    public bool NextItemFailure() => Draw(Settings.ItemFailureShare);

    private bool Draw(double share)
    {
        if (share <= 0) return false;
        if (share >= 1) return true;
        lock (_gate) return _random.NextDouble() < share;
    }

    private static Random NewRandom(int? seed) => seed is { } value ? new Random(value) : new Random();
}
