using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>
/// The columns of one join input, fixed by its first batch, and where its key columns are. Batches that
/// arrive later with other columns (several files with different headers) are matched to the first
/// columns by name; columns the first batch did not have are left out (logged once).
/// </summary>
internal sealed class JoinInputShape(int index, IReadOnlyList<string> keyNames)
{
    private RecordSchema? _lastSchema;
    private int[]? _map;
    private bool _warned;

    /// <summary>0-based position of the input (input1 is 0).</summary>
    public int Index { get; } = index;

    /// <summary>Port name: input1 … input4.</summary>
    public string Port => $"input{Index + 1}";

    /// <summary>Columns of the first batch; null until one arrived.</summary>
    public RecordSchema? Schema { get; private set; }

    /// <summary>Columns to lay out: those of the first batch, or only the key columns when no row came.</summary>
    public RecordSchema Columns => Schema ??= new RecordSchema(RecordSchema.MakeUnique(keyNames));

    /// <summary>Positions of the key columns in <see cref="Columns"/>.</summary>
    public int[] KeyColumns { get; private set; } = [.. Enumerable.Range(0, keyNames.Count)];

    /// <summary>Takes note of a batch's columns; throws when a key column is not among them.</summary>
    public void Accept(RecordSchema schema, BlockContext context)
    {
        if (ReferenceEquals(schema, _lastSchema)) return;
        if (Schema is null)
        {
            Schema = schema;
            KeyColumns = [.. keyNames.Select(name => Find(schema, name))];
            _map = null;
        }
        else if (schema.SameColumns(Schema))
        {
            _map = null;
        }
        else
        {
            foreach (var name in keyNames) Find(schema, name);
            _map = [.. Schema.Columns.Select(schema.IndexOfIgnoreCase)];
            var extra = schema.Columns.Where(c => Schema.IndexOfIgnoreCase(c) < 0).ToList();
            if (extra.Count > 0 && !_warned)
            {
                _warned = true;
                context.Log(RunLogLevel.Warning,
                    $"{Port}: rows arrived with columns ({schema}) other than the first rows' ({Schema}); they are matched by name and {string.Join(", ", extra)} are left out.");
            }
        }
        _lastSchema = schema;
    }

    /// <summary>A row's values in the order of <see cref="Columns"/> (the row's own array when the columns agree).</summary>
    public string?[] Values(Record row)
    {
        if (_map is null) return row.Values;
        var values = new string?[_map.Length];
        for (var i = 0; i < _map.Length; i++) values[i] = row[_map[i]];
        return values;
    }

    private int Find(RecordSchema schema, string name)
    {
        var position = schema.IndexOfIgnoreCase(name);
        if (position >= 0) return position;
        throw new BlockException(
            $"Key column '{name}' of {Port} is not among its columns: {schema}. Correct the key columns of {Port} in Inputs.")
        {
            Setting = "inputs",
        };
    }
}
