namespace ConnectPlus.Bench.Workload;

/// <summary>
/// A shuffled order of 0..count-1 that needs no memory: i → (a·i + b) mod count with a coprime to
/// count is a bijection. Files that list members in another order than the member file (as a change
/// log does) use it, so that a join has to match keys that are not already aligned.
/// </summary>
internal readonly struct Permutation
{
    private readonly ulong _count;
    private readonly ulong _multiplier;
    private readonly ulong _offset;

    public Permutation(long count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        // index · multiplier stays below 2^64.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, uint.MaxValue);
        _count = (ulong)Math.Max(count, 1);
        // Near the golden ratio of the count, so neighbours land far apart.
        var multiplier = ((ulong)(_count * 0.6180339887) | 1) + (seed % 1024 * 2);
        while (Gcd(multiplier % _count, _count) != 1)
        {
            multiplier += 2;
        }

        _multiplier = multiplier % _count == 0 ? 1 : multiplier % _count;
        _offset = SplitMix.Mix(seed) % _count;
    }

    public long this[long index] => (long)(((ulong)index * _multiplier + _offset) % _count);

    private static ulong Gcd(ulong a, ulong b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
