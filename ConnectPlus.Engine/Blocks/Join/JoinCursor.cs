using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>
/// Walks the combinations one streamed row makes with the held sides, one at a time (an explicit stack,
/// so a key with many duplicates never piles up rows in memory): at each stage every matching held row,
/// or — when the join type keeps unmatched streamed rows — one pass with that stage's columns empty.
/// The columns of the current combination sit in one reused array; <see cref="CopyCurrent"/> copies them out.
/// A held row that nothing matched can be walked through the later stages the same way (<see cref="StartHeld"/>).
/// </summary>
internal sealed class JoinCursor
{
    private const int Streamed = -1;
    private readonly JoinStage[] _stages;
    private readonly int[] _streamedMap;
    private readonly int[] _streamedPositions;
    private readonly int[] _streamedRawKeys;
    private readonly int[] _inputOrder;
    private readonly int[]? _coalesceTargets;
    private readonly string?[] _current;
    private readonly int[] _rows;
    private readonly bool[] _matchedHere;
    private byte[] _key = new byte[64];
    private int _keyLength;
    private int _hash;
    private bool _keyMatchable;
    private int _depth;
    private int _start;
    private bool _entering;
    private bool _atLeaf;
    private string?[]? _streamedValues;
    private SourceRef _streamedSource;

    /// <param name="stages">The held sides, in the order a streamed row meets them.</param>
    /// <param name="streamedMap">Per column of the streamed input, its output position.</param>
    /// <param name="streamedRawKeys">Key columns of the streamed input.</param>
    /// <param name="inputOrder">The parts of a combination in input order: -1 for the streamed row, else a stage index.</param>
    /// <param name="coalesceTargets">Output positions of input1's key, filled from the first part present when input1's part is absent; null to leave them empty.</param>
    /// <param name="width">Output columns.</param>
    public JoinCursor(JoinStage[] stages, int[] streamedMap, int[] streamedRawKeys, int[] inputOrder, int[]? coalesceTargets, int width)
    {
        _stages = stages;
        _streamedMap = streamedMap;
        _streamedPositions = [.. streamedMap.Where(p => p >= 0)];
        _streamedRawKeys = streamedRawKeys;
        _inputOrder = inputOrder;
        _coalesceTargets = coalesceTargets;
        _current = new string?[width];
        _rows = new int[stages.Length];
        _matchedHere = new bool[stages.Length];
    }

    /// <summary>The key every part of the current combination shares.</summary>
    public ReadOnlySpan<byte> Key => _key.AsSpan(0, _keyLength);

    /// <summary>False when the key matches nothing (an empty key).</summary>
    public bool KeyMatchable => _keyMatchable;

    /// <summary>Where the current combination comes from: the origin of its first part in input order.</summary>
    public SourceRef CurrentSource
    {
        get
        {
            var part = FirstPresent();
            return part == Streamed ? _streamedSource : _stages[part].Table.Source(_rows[part]);
        }
    }

    /// <summary>Starts the combinations of a streamed row (<paramref name="hash"/>: <see cref="PackedRowTable.Hash"/> of the key).</summary>
    public void StartStreamed(string?[] values, ReadOnlySpan<byte> key, int hash, bool matchable, SourceRef source)
    {
        SetKey(key, hash, matchable);
        _streamedValues = values;
        _streamedSource = source;
        for (var c = 0; c < _streamedMap.Length; c++)
        {
            var position = _streamedMap[c];
            if (position >= 0) _current[position] = (uint)c < (uint)values.Length ? values[c] : null;
        }
        Begin(0);
    }

    /// <summary>Starts the combinations of a held row of <paramref name="stage"/> that nothing matched.</summary>
    public void StartHeld(int stage, int row)
    {
        var table = _stages[stage].Table;
        var matchable = table.TryGetKey(row, out var key);
        SetKey(key, matchable ? PackedRowTable.Hash(key) : 0, matchable);
        _streamedValues = null;
        foreach (var position in _streamedPositions) _current[position] = null;
        for (var s = 0; s < stage; s++)
        {
            _stages[s].Clear(_current);
            _rows[s] = -1;
        }
        _rows[stage] = row;
        _stages[stage].Fill(row, _current);
        Begin(stage + 1);
    }

    /// <summary>Moves to the next combination; false when there is none left.</summary>
    public bool TryNext()
    {
        if (_atLeaf)
        {
            _atLeaf = false;
            _depth--;
            _entering = false;
        }
        while (true)
        {
            if (_depth == _stages.Length)
            {
                _atLeaf = true;
                return true;
            }
            if (_depth < _start) return false;
            var stage = _stages[_depth];
            int next;
            if (_entering)
            {
                _matchedHere[_depth] = false;
                next = _keyMatchable ? stage.Table.Find(Key, _hash) : -1;
            }
            else
            {
                var row = _rows[_depth];
                next = row >= 0 ? stage.Table.NextDuplicate(row) : -2;
            }
            if (next >= 0)
            {
                _rows[_depth] = next;
                _matchedHere[_depth] = true;
                stage.Table.MarkMatched(next);
                stage.Fill(next, _current);
                _depth++;
                _entering = true;
                continue;
            }
            if (next == -1 && !_matchedHere[_depth] && stage.KeepUnmatchedStreamed)
            {
                _rows[_depth] = -1;
                _matchedHere[_depth] = true;
                stage.Clear(_current);
                _depth++;
                _entering = true;
                continue;
            }
            _depth--;
            _entering = false;
        }
    }

    /// <summary>Copies the current combination's columns to <paramref name="target"/> (as wide as the output).</summary>
    public void CopyCurrent(string?[] target)
    {
        _current.CopyTo(target, 0);
        if (_coalesceTargets is null) return;
        var first = FirstPresent();
        if (first == _inputOrder[0]) return;
        for (var k = 0; k < _coalesceTargets.Length; k++)
        {
            target[_coalesceTargets[k]] = first == Streamed
                ? ValueAt(_streamedValues!, _streamedRawKeys[k])
                : _stages[first].Table.Value(_rows[first], _stages[first].RawKeyColumns[k]);
        }
    }

    private int FirstPresent()
    {
        foreach (var part in _inputOrder)
        {
            if (part == Streamed ? _streamedValues is not null : _rows[part] >= 0) return part;
        }
        throw new InvalidOperationException("A join combination has no part.");
    }

    private void Begin(int start)
    {
        _start = start;
        _depth = start;
        _entering = true;
        _atLeaf = false;
    }

    private void SetKey(ReadOnlySpan<byte> key, int hash, bool matchable)
    {
        if (_key.Length < key.Length) _key = new byte[Math.Max(key.Length, _key.Length * 2)];
        key.CopyTo(_key);
        _keyLength = key.Length;
        _keyMatchable = matchable;
        _hash = hash;
    }

    private static string? ValueAt(string?[] values, int column) => (uint)column < (uint)values.Length ? values[column] : null;
}
