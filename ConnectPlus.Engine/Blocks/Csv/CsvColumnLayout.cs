using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>
/// Which input column fills each column of the file Write CSV writes. With Columns set, columns are
/// found by name in each batch's schema (so batches of another column order still fit); without,
/// the first batch's columns are the file's, and every batch must have the same.
/// </summary>
internal sealed class CsvColumnLayout(IReadOnlyList<CsvOutputColumn> columns)
{
    private RecordSchema? _first;
    private RecordSchema? _last;
    private int[] _map = [];

    /// <summary>The header names, or null while they are not known (no Columns set and no batch yet).</summary>
    public IReadOnlyList<string>? Header => columns.Count > 0 ? [.. columns.Select(c => c.Name)] : _first?.Columns;

    /// <summary>For each file column, the index of its input column in <paramref name="schema"/>.</summary>
    /// <exception cref="BlockException">A configured column is missing, or (without Columns) the input columns changed.</exception>
    public int[] For(RecordSchema schema, SourceRef firstRow)
    {
        if (ReferenceEquals(schema, _last)) return _map;
        _map = columns.Count > 0 ? ByName(schema) : ByPosition(schema, firstRow);
        _last = schema;
        return _map;
    }

    private int[] ByName(RecordSchema schema)
    {
        var map = new int[columns.Count];
        for (var i = 0; i < map.Length; i++)
        {
            var input = string.IsNullOrWhiteSpace(columns[i].Column) ? columns[i].Name : columns[i].Column!;
            map[i] = schema.IndexOfIgnoreCase(input);
            if (map[i] < 0)
            {
                throw new BlockException(
                    $"Columns: column '{columns[i].Name}' takes its values from the input column '{input}', which the input does not have. " +
                    $"Available columns: {string.Join(", ", schema.Columns)}.")
                { Setting = "columns" };
            }
        }
        return map;
    }

    private int[] ByPosition(RecordSchema schema, SourceRef firstRow)
    {
        if (_first is null)
        {
            _first = schema;
            return [.. Enumerable.Range(0, schema.Count)];
        }
        if (schema.SameColumns(_first)) return _map;
        var from = firstRow.File is null ? "" : $" (rows from {firstRow})";
        throw new BlockException(
            $"The input columns changed during the run{from}: the file has ({_first}), these rows have ({schema}). " +
            "A CSV file has one header: set Columns to choose the columns to write by name.")
        { Setting = "columns" };
    }
}
