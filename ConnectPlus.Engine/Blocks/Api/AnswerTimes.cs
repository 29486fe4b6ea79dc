using System.Globalization;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// How long an API sink's requests waited for their answers, kept as a histogram of fixed size whatever the
/// number of requests: 16 buckets per doubling from 16 µs on (each within 1/16 of the next, so a percentile
/// is off by 3% at most), plus the exact longest. Thread-safe (requests in flight add at once). The run log
/// states it ("answers in 38 ms median, 120 ms at the 99th percentile, 2.1 s at most"), for support to tell a
/// slow API from a slow run.
/// </summary>
internal sealed class AnswerTimes
{
    private const int SubBuckets = 16;
    private const int Octaves = 40;
    private const int Buckets = SubBuckets + (Octaves * SubBuckets);
    private readonly long[] _counts = new long[Buckets];
    private long _count;
    private long _longestTicks;

    /// <summary>Answers counted.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The longest wait, exactly.</summary>
    public TimeSpan Longest => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

    public void Add(TimeSpan wait)
    {
        var ticks = Math.Max(0, wait.Ticks);
        Interlocked.Increment(ref _counts[Bucket(ticks / TimeSpan.TicksPerMicrosecond)]);
        Interlocked.Increment(ref _count);
        long longest;
        while (ticks > (longest = Interlocked.Read(ref _longestTicks)) && Interlocked.CompareExchange(ref _longestTicks, ticks, longest) != longest)
        {
        }
    }

    /// <summary>The wait that <paramref name="share"/> (0–1) of the answers took at most: the middle of its bucket, never past the longest.</summary>
    public TimeSpan Percentile(double share)
    {
        var count = Count;
        if (count == 0) return TimeSpan.Zero;
        // The rank of the answer at this share, 1-based (the median of 4 is the 2nd).
        var rank = Math.Max(1, (long)Math.Ceiling(share * count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen < rank) continue;
            var (low, width) = Range(i);
            var middle = TimeSpan.FromTicks((low * TimeSpan.TicksPerMicrosecond) + (width * TimeSpan.TicksPerMicrosecond / 2));
            return middle < Longest ? middle : Longest;
        }
        return Longest;
    }

    /// <summary>"38 ms median, 120 ms at the 99th percentile, 2.1 s at most"; null when nothing was answered.</summary>
    public string? Describe() => Count == 0
        ? null
        : $"{Format(Percentile(0.5))} median, {Format(Percentile(0.99))} at the 99th percentile, {Format(Longest)} at most";

    /// <summary>Under 10 ms with a decimal, under a second in whole ms, then seconds with a decimal.</summary>
    public static string Format(TimeSpan wait)
    {
        var c = CultureInfo.InvariantCulture;
        var ms = wait.TotalMilliseconds;
        if (ms < 10) return string.Create(c, $"{ms:0.0} ms");
        if (ms < 999.5) return string.Create(c, $"{ms:0} ms");
        return string.Create(c, $"{wait.TotalSeconds:0.0} s");
    }

    /// <summary>Values under 16 µs have a bucket each; above, each doubling from 2^e µs has 16 buckets of 2^(e-4) µs.</summary>
    private static int Bucket(long micros)
    {
        if (micros < SubBuckets) return (int)micros;
        var octave = 63 - (int)long.LeadingZeroCount(micros); // >= 4
        var sub = (int)((micros >> (octave - 4)) & (SubBuckets - 1));
        return Math.Min(SubBuckets + ((octave - 4) * SubBuckets) + sub, Buckets - 1);
    }

    /// <summary>The first value of bucket <paramref name="index"/> and its width, in µs.</summary>
    private static (long Low, long Width) Range(int index)
    {
        if (index < SubBuckets) return (index, 1);
        var octave = ((index - SubBuckets) / SubBuckets) + 4;
        var sub = (index - SubBuckets) % SubBuckets;
        var width = 1L << (octave - 4);
        return ((1L << octave) + (sub * width), width);
    }
}
