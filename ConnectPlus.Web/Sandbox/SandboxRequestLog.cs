using Microsoft.Extensions.Options;

namespace ConnectPlus.Web.Sandbox;

/// <summary>What became of one item of a request (a bill, a customer, a redemption).</summary>
public readonly record struct SandboxItemOutcome(int Index, string? Key, int Code, string Message, bool Success);

/// <summary>One call the sandbox received and how it answered.</summary>
public sealed record SandboxRequestRecord(
    long Id,
    DateTimeOffset At,
    string Method,
    string Endpoint,
    string? Caller,
    int Status,
    int ItemCount,
    int FailureCount,
    string? Fault,
    double DurationMs,
    IReadOnlyList<SandboxItemOutcome> Items);

/// <summary>
/// The last <see cref="SandboxOptions.RequestLogSize"/> calls, newest first on reading (a ring: the
/// oldest is dropped). Bills and customers are not here but in <see cref="SandboxStore"/>, complete.
/// </summary>
public sealed class SandboxRequestLog
{
    private readonly Lock _gate = new();
    private readonly SandboxRequestRecord?[] _ring;
    private int _next;
    private long _total;
    private long _version;

    public SandboxRequestLog(IOptions<SandboxOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ring = new SandboxRequestRecord?[options.Value.RequestLogSize];
    }

    /// <summary>Calls received since the start or the last reset (also those the ring dropped).</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Changes whenever a call is logged or the log is cleared (the page polls it).</summary>
    public long Version => Interlocked.Read(ref _version);

    public SandboxRequestRecord Add(Func<long, SandboxRequestRecord> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        lock (_gate)
        {
            var record = create(Interlocked.Increment(ref _total));
            _ring[_next] = record;
            _next = (_next + 1) % _ring.Length;
            Interlocked.Increment(ref _version);
            return record;
        }
    }

    public IReadOnlyList<SandboxRequestRecord> Latest(int take)
    {
        lock (_gate)
        {
            var result = new List<SandboxRequestRecord>(Math.Min(take, _ring.Length));
            for (var i = 1; i <= _ring.Length && result.Count < take; i++)
            {
                if (_ring[(_next - i + _ring.Length) % _ring.Length] is not { } record) break;
                result.Add(record);
            }
            return result;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            Array.Clear(_ring);
            _next = 0;
            Interlocked.Exchange(ref _total, 0);
            Interlocked.Increment(ref _version);
        }
    }
}
