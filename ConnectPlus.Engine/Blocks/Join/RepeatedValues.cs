namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>
/// The values of one column of a <see cref="PackedRowTable"/> that repeat (tiers, sources, first names),
/// each kept once as a string: a row stores such a value as its number here, so it takes a byte or two
/// and decodes to the same string without UTF-8 work or allocation. A column whose values mostly differ
/// (ids, timestamps, emails) stops being looked up after the first rows, so it costs almost nothing.
/// </summary>
internal sealed class RepeatedValues
{
    /// <summary>Distinct values kept at most; later new values are stored as text (those kept still match).</summary>
    public const int MaxValues = 4096;

    /// <summary>Longer values are stored as text: they rarely repeat.</summary>
    public const int MaxLength = 64;

    // Judged after 1K, 2K, 4K… (up to 1M) more values: a column is dropped when fewer than half of the values of
    // the last stretch were already numbered.
    private const int FirstStretch = 1 << 10;
    private const int LastStretch = 1 << 20;

    private readonly Dictionary<string, int> _numbers = new(StringComparer.Ordinal);
    private readonly List<string> _values = [];
    private int _stretch = FirstStretch;
    private int _offered;
    private int _found;

    /// <summary>Whether values are still looked up (false once the column turned out to hold mostly distinct values).</summary>
    public bool Active { get; private set; } = true;

    /// <summary>Approximate bytes held by the values and their index.</summary>
    public long MemoryBytes { get; private set; }

    /// <summary>The value with a number given by <see cref="TryNumber"/>.</summary>
    public string this[int number] => _values[number];

    /// <summary>The number of a non-empty value, adding it when there is room; false when it is to be stored as text.</summary>
    public bool TryNumber(string value, out int number)
    {
        number = -1;
        if (!Active || value.Length > MaxLength) return false;
        if (_numbers.TryGetValue(value, out var known))
        {
            number = known;
            _found++;
        }
        else if (_values.Count < MaxValues)
        {
            number = _values.Count;
            _values.Add(value);
            _numbers.Add(value, number);
            MemoryBytes += 64 + 2L * value.Length; // the string, its dictionary entry and its list slot
        }
        if (++_offered == _stretch) Judge();
        return number >= 0;
    }

    private void Judge()
    {
        var repeats = _found * 2 >= _offered;
        _offered = 0;
        _found = 0;
        if (_stretch < LastStretch) _stretch *= 2;
        if (repeats) return;
        // Values already numbered stay readable; only the lookups stop.
        Active = false;
        _numbers.Clear();
        _numbers.TrimExcess();
    }
}
