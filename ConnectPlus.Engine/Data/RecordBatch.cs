namespace ConnectPlus.Engine.Data;

/// <summary>Where a row came from: file name and 1-based line number (0 when not from a file).</summary>
public readonly record struct SourceRef(string? File, long Line)
{
    /// <summary>No known origin.</summary>
    public static SourceRef None => default;

    public override string ToString() => File is null ? "(no source)" : Line > 0 ? $"{File} line {Line}" : File;
}

/// <summary>One row: values in schema order (null = missing) and its origin.</summary>
public readonly record struct Record(string?[] Values, SourceRef Source)
{
    /// <summary>
    /// The row in a ready, in-memory form for a receiver that understands it (e.g. a built API item with
    /// its bytes and source rows), so the receiver need not parse the values again. Never written anywhere;
    /// a block that makes new rows from this one does not carry it over. Null for ordinary rows.
    /// </summary>
    public object? Attachment { get; init; }

    /// <summary>Value at a column index, or null when the index is out of range.</summary>
    public string? this[int index] => (uint)index < (uint)Values.Length ? Values[index] : null;
}

/// <summary>
/// An immutable batch of rows sharing one schema. Blocks never change a batch they received;
/// a block that changes rows produces a new batch (so fan-out can share batches safely).
/// </summary>
public sealed class RecordBatch
{
    /// <summary>Creates a batch over the given rows (the array is taken, not copied).</summary>
    public RecordBatch(RecordSchema schema, Record[] rows)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(rows);
        Schema = schema;
        Rows = rows;
    }

    /// <summary>Column names of every row.</summary>
    public RecordSchema Schema { get; }

    /// <summary>The rows.</summary>
    public IReadOnlyList<Record> Rows { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Rows.Count;
}

/// <summary>Collects rows into batches of a fixed size for one schema.</summary>
public sealed class RecordBatchBuilder(RecordSchema schema, int batchSize)
{
    private readonly int _batchSize = Math.Max(1, batchSize);
    // Rows go straight into the array a full batch takes as its own (no copy); a new one is made per batch.
    private Record[] _rows = [];
    private int _count;

    /// <summary>The schema of the batches built.</summary>
    public RecordSchema Schema { get; } = schema;

    /// <summary>Rows waiting in the current batch.</summary>
    public int Count => _count;

    /// <summary>Adds a row; returns true when the batch is full and should be taken.</summary>
    public bool Add(Record row)
    {
        if (_count == _rows.Length) Array.Resize(ref _rows, Math.Min(_batchSize, Math.Max(16, _rows.Length * 2)));
        _rows[_count++] = row;
        return _count >= _batchSize;
    }

    /// <summary>Takes the rows collected so far as a batch and starts a new one.</summary>
    public RecordBatch Take()
    {
        var rows = _count == _rows.Length ? _rows : _rows[.._count];
        _rows = _count == _batchSize ? new Record[_batchSize] : [];
        _count = 0;
        return new RecordBatch(Schema, rows);
    }
}
