using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Expressions;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Transform;

/// <summary>
/// How the Map block builds an output row for one input schema: for each output column, the input
/// position to copy, the compiled formula or the constant; then the kept input columns.
/// </summary>
internal sealed class MapPlan
{
    private const string Setting = "columns";
    private readonly Producer[] _producers;
    private readonly int[] _kept;

    private MapPlan(RecordSchema input, RecordSchema output, Producer[] producers, int[] kept)
    {
        Input = input;
        Output = output;
        _producers = producers;
        _kept = kept;
    }

    /// <summary>The input columns this plan was made for.</summary>
    public RecordSchema Input { get; }

    /// <summary>The output columns.</summary>
    public RecordSchema Output { get; }

    /// <summary>Checks the settings and parses every formula once, before any row.</summary>
    /// <exception cref="BlockException">A column is not valid (the message says which and why).</exception>
    public static IReadOnlyList<ColumnSpec> Compile(MapSettings settings)
    {
        var formulas = new Dictionary<MapColumn, Formula>(ReferenceEqualityComparer.Instance);
        if (settings.Problems((column, formula) => formulas[column] = formula).FirstOrDefault() is { } problem)
            throw new BlockException($"Setting '{Setting}': {problem}") { Setting = Setting };
        return [.. settings.Columns.Select(c => new ColumnSpec(
            c.Name,
            string.IsNullOrWhiteSpace(c.Source) ? null : c.Source,
            formulas.GetValueOrDefault(c),
            c.Constant))];
    }

    /// <summary>Resolves the columns against an input schema.</summary>
    /// <exception cref="BlockException">A source column or a column read by a formula is not in the input.</exception>
    public static MapPlan For(IReadOnlyList<ColumnSpec> columns, bool keepOtherColumns, RecordSchema input, FormulaEnvironment environment, string? file)
    {
        var producers = new Producer[columns.Count];
        var consumed = new HashSet<int>();
        var where = file is null ? "" : $" (reading {file})";
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            if (column.Source is { } source)
            {
                var index = input.IndexOfIgnoreCase(source);
                if (index < 0)
                {
                    throw new BlockException($"Setting '{Setting}': output column '{column.Name}' copies source column '{source}', which the input does not have{where}. Input columns: {input}. Correct the source name or remove the column.")
                    { Setting = Setting, File = file };
                }
                consumed.Add(index);
                producers[i] = new Producer(index, null, null);
            }
            else if (column.Formula is { } formula)
            {
                var missing = formula.MissingColumns(input);
                if (missing.Count > 0)
                {
                    throw new BlockException($"Setting '{Setting}': the formula of output column '{column.Name}' ({formula.Text}) reads {Names(missing)}, which the input does not have{where}. Input columns: {input}. Correct the formula's column names.")
                    { Setting = Setting, File = file };
                }
                producers[i] = new Producer(-1, formula.Bind(input, environment), null);
            }
            else
            {
                producers[i] = new Producer(-1, null, column.Constant);
            }
        }
        var names = new HashSet<string>(columns.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
        int[] kept = keepOtherColumns
            ? [.. Enumerable.Range(0, input.Count).Where(i => !consumed.Contains(i) && !names.Contains(input.Columns[i]))]
            : [];
        var output = new RecordSchema(columns.Select(c => c.Name).Concat(kept.Select(i => input.Columns[i])));
        return new MapPlan(input, output, producers, kept);
    }

    /// <summary>Builds the output row, or gives the reason a formula failed on this row.</summary>
    public bool TryApply(Record row, out Record result, out string? error)
    {
        var values = new string?[Output.Count];
        for (var i = 0; i < _producers.Length; i++)
        {
            var producer = _producers[i];
            if (producer.Formula is { } formula)
            {
                try
                {
                    values[i] = formula.EvaluateText(row);
                }
                catch (FormulaException ex)
                {
                    result = default;
                    error = $"Column '{Output.Columns[i]}': {ex.Message}";
                    return false;
                }
            }
            else
            {
                values[i] = producer.Source >= 0 ? row[producer.Source] : producer.Constant;
            }
        }
        for (var k = 0; k < _kept.Length; k++) values[_producers.Length + k] = row[_kept[k]];
        result = new Record(values, row.Source);
        error = null;
        return true;
    }

    private static string Names(IReadOnlyList<string> columns) =>
        columns.Count == 1 ? $"column '{columns[0]}'" : $"columns {string.Join(", ", columns.Select(c => $"'{c}'"))}";

    /// <summary>An output column as checked at block start: one of source, formula or constant.</summary>
    internal sealed record ColumnSpec(string Name, string? Source, Formula? Formula, string? Constant);

    private readonly record struct Producer(int Source, BoundFormula? Formula, string? Constant);
}
