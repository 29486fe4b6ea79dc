namespace ConnectPlus.Engine.Data;

/// <summary>The ordered column names shared by the rows of a <see cref="RecordBatch"/>.</summary>
public sealed class RecordSchema
{
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates a schema; column names must be unique (ordinal comparison).</summary>
    public RecordSchema(IEnumerable<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = [.. columns];
        _index = new Dictionary<string, int>(Columns.Count, StringComparer.Ordinal);
        for (var i = 0; i < Columns.Count; i++)
        {
            if (!_index.TryAdd(Columns[i], i))
                throw new ArgumentException($"Column '{Columns[i]}' appears twice in the schema.", nameof(columns));
        }
    }

    /// <summary>Column names in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Number of columns.</summary>
    public int Count => Columns.Count;

    /// <summary>Index of a column (exact name), or -1.</summary>
    public int IndexOf(string column) => _index.TryGetValue(column, out var i) ? i : -1;

    /// <summary>Index of a column, trying the exact name first, then ignoring case; -1 when absent.</summary>
    public int IndexOfIgnoreCase(string column)
    {
        var exact = IndexOf(column);
        if (exact >= 0) return exact;
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], column, StringComparison.OrdinalIgnoreCase)) return i;
        }
        return -1;
    }

    /// <summary>Whether two schemas have the same columns in the same order.</summary>
    public bool SameColumns(RecordSchema other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ReferenceEquals(this, other) || Columns.SequenceEqual(other.Columns, StringComparer.Ordinal);
    }

    /// <summary>Makes names unique by suffixing repeats with _2, _3, …; used for headers read from files.</summary>
    public static IReadOnlyList<string> MakeUnique(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var name in names)
        {
            var candidate = name;
            for (var n = 2; !seen.Add(candidate); n++) candidate = $"{name}_{n}";
            result.Add(candidate);
        }
        return result;
    }

    public override string ToString() => string.Join(", ", Columns);
}
