namespace ConnectPlus.Bench.Workload;

/// <summary>
/// SplitMix64: a tiny, fast generator whose sequence depends only on its seed, on every platform and
/// .NET version (System.Random's seeded sequence is an implementation detail). A workload is a pure
/// function of its seed, so a benchmark can be repeated on the same data without keeping the data.
/// </summary>
internal struct SplitMix
{
    private const ulong Gamma = 0x9E3779B97F4A7C15;
    private ulong _state;

    public SplitMix(ulong seed) => _state = seed;

    /// <summary>A generator for one item (a member, a bill) of a workload: independent of every other item.</summary>
    public static SplitMix For(ulong seed, ulong stream, long item) =>
        new(Mix(Mix(seed ^ (stream * Gamma)) + (ulong)item));

    /// <summary>The SplitMix64 finalizer: a bijective scramble of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>A number in [0, maxExclusive) (Lemire's multiply-shift; the bias is below 2^-32).</summary>
    public int Next(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);

    /// <summary>A number in [minInclusive, maxExclusive).</summary>
    public long NextLong(long minInclusive, long maxExclusive) =>
        minInclusive + (long)(NextUInt64() % (ulong)(maxExclusive - minInclusive));

    /// <summary>A number in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>An index into <paramref name="cumulative"/> (ascending cumulative weights ending at 1).</summary>
    public int Pick(ReadOnlySpan<double> cumulative)
    {
        var x = NextDouble();
        for (var i = 0; i < cumulative.Length - 1; i++)
        {
            if (x < cumulative[i])
            {
                return i;
            }
        }

        return cumulative.Length - 1;
    }

    /// <summary>A Poisson-distributed count (Knuth's method; fine for the small means of a workload).</summary>
    public int NextPoisson(double mean)
    {
        var limit = Math.Exp(-mean);
        var product = NextDouble();
        var count = 0;
        while (product > limit)
        {
            count++;
            product *= NextDouble();
        }

        return count;
    }
}
