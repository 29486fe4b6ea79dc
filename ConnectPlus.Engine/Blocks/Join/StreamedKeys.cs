using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>
/// The join keys of one batch of streamed rows, encoded and hashed before the batch is joined, so that the
/// probes of rows a few places ahead can be prefetched (<see cref="PackedRowTable.Prefetch"/>): a probe of a
/// held table of a million rows misses the cache two or three times, and prefetched it mostly does not wait.
/// </summary>
internal sealed class StreamedKeys(JoinKeyEncoder encoder)
{
    // How many rows ahead each prefetch step runs: the bucket first, then the row entry, then the row's bytes.
    private static readonly int[] StepDistances = [12, 8, 4];

    private byte[] _bytes = new byte[1 << 14];
    private int[] _ends = new int[1024];
    private int[] _hashes = new int[1024];
    private bool[] _empty = new bool[1024];

    /// <summary>Rows encoded.</summary>
    public int Count { get; private set; }

    /// <summary>Encodes the keys of a batch's rows (their values as <paramref name="shape"/> lays them out).</summary>
    public void Encode(IReadOnlyList<Record> rows, JoinInputShape shape)
    {
        Count = rows.Count;
        if (_ends.Length < Count)
        {
            _ends = new int[Count];
            _hashes = new int[Count];
            _empty = new bool[Count];
        }
        var used = 0;
        for (var r = 0; r < Count; r++)
        {
            _empty[r] = encoder.Encode(shape.Values(rows[r]));
            var key = encoder.Key;
            if (_bytes.Length - used < key.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, used + key.Length));
            key.CopyTo(_bytes.AsSpan(used));
            used += key.Length;
            _ends[r] = used;
            _hashes[r] = PackedRowTable.Hash(key);
        }
    }

    /// <summary>The encoded key of a row.</summary>
    public ReadOnlySpan<byte> Key(int row)
    {
        var start = row == 0 ? 0 : _ends[row - 1];
        return _bytes.AsSpan(start, _ends[row] - start);
    }

    /// <summary>The hash of a row's key.</summary>
    public int Hash(int row) => _hashes[row];

    /// <summary>Whether a key column of the row is missing or empty.</summary>
    public bool IsEmpty(int row) => _empty[row];

    /// <summary>Prefetches, in every held table, the probes of the rows a few places after <paramref name="row"/>.</summary>
    public void PrefetchAfter(int row, IReadOnlyList<JoinStage> stages)
    {
        for (var step = 0; step < StepDistances.Length; step++)
        {
            var ahead = row + StepDistances[step];
            if (ahead >= Count) continue;
            var hash = _hashes[ahead];
            for (var s = 0; s < stages.Count; s++) stages[s].Table.Prefetch(hash, step);
        }
    }
}
