using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Expressions;

namespace ConnectPlus.Engine.Blocks.Transform;

/// <summary>Settings of the Map block.</summary>
public sealed class MapSettings : IValidatableObject
{
    /// <summary>
    /// The output columns, in order. Each takes its value from exactly one of: an input column
    /// (source; renames when the name differs), a formula over the input row (see the formula
    /// reference), or a constant text. Input columns not listed are dropped unless "Keep other
    /// columns" is on.
    /// </summary>
    [Setting(Order = 1, Group = "Columns", Editor = EditorHint.ColumnMapping)]
    public List<MapColumn> Columns { get; set; } = [];

    /// <summary>
    /// Also pass on, unchanged and after the listed columns, the input columns that are not listed
    /// (neither named as an output column nor used as a source). Off: the output is exactly the list.
    /// </summary>
    [Setting(Order = 2, Group = "Columns")]
    public bool KeepOtherColumns { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Problems().Select(problem => new ValidationResult(problem, [nameof(Columns)]));

    /// <summary>
    /// Every problem of the column list, in words a user can act on (also checked when the block
    /// starts). Formulas that parse are handed to <paramref name="parsed"/> so they are parsed once.
    /// </summary>
    internal IEnumerable<string> Problems(Action<MapColumn, Formula>? parsed = null)
    {
        if (Columns.Count == 0 && !KeepOtherColumns)
            yield return "Add at least one output column, or turn on 'Keep other columns' to pass the input through.";
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Columns.Count; i++)
        {
            var column = Columns[i];
            if (column is null)
            {
                yield return $"Column {i + 1} is empty. Give it a name and a source, formula or constant.";
                continue;
            }
            var label = column.Label(i);
            if (string.IsNullOrWhiteSpace(column.Name))
                yield return $"Column {i + 1} has no name. Give every output column a name.";
            else if (!names.TryAdd(column.Name, column.Name))
                yield return $"Two output columns are named '{names[column.Name]}'{(names[column.Name] == column.Name ? "" : $" and '{column.Name}'")}. Give each output column a different name.";

            var given = column.ValueKinds();
            if (given.Count == 0)
                yield return $"{label}: give it a source column, a formula or a constant.";
            else if (given.Count > 1)
                yield return $"{label}: give only one of source, formula or constant (it has {string.Join(" and ", given)}).";
            else if (given[0] == "formula")
            {
                if (Formula.TryParse(column.Formula, out var formula, out var error)) parsed?.Invoke(column, formula);
                else yield return $"{label}: {error}";
            }
        }
    }
}

/// <summary>One output column of the Map block: its name and where its value comes from (exactly one of source, formula, constant).</summary>
public sealed class MapColumn
{
    /// <summary>Name of the output column.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>Input column whose value is copied (matched ignoring case); a different name renames it.</summary>
    public string? Source { get; set; }

    /// <summary>Formula computing the value from the input row, e.g. <c>concat([first name], ' ', [last name])</c>.</summary>
    public string? Formula { get; set; }

    /// <summary>Fixed text put in every row (may be empty text).</summary>
    public string? Constant { get; set; }

    /// <summary>"Column 'total'" or "Column 3" for messages.</summary>
    internal string Label(int index) => string.IsNullOrWhiteSpace(Name) ? $"Column {index + 1}" : $"Column '{Name}'";

    /// <summary>Which of source, formula and constant are given (a blank source or formula counts as not given; an empty constant counts).</summary>
    internal List<string> ValueKinds()
    {
        var kinds = new List<string>(3);
        if (!string.IsNullOrWhiteSpace(Source)) kinds.Add("source");
        if (!string.IsNullOrWhiteSpace(Formula)) kinds.Add("formula");
        if (Constant is not null) kinds.Add("constant");
        return kinds;
    }
}
