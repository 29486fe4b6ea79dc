using System.Text;

namespace ConnectPlus.Engine.Expressions;

/// <summary>
/// The formula function library, in one place: the evaluator, the formula editor and
/// docs/formulas.md all read <see cref="All"/>. Lookup functions (reading a reference table) are
/// not here yet; they will join as their own category.
/// </summary>
public static partial class FormulaFunctions
{
    /// <summary>The clock the documented examples run with: 15 March 2024, 10:30 UTC.</summary>
    public static DateTimeOffset ExampleClock { get; } = new(2024, 3, 15, 10, 30, 0, TimeSpan.Zero);

    /// <summary>Every function, by category then name.</summary>
    public static IReadOnlyList<FormulaFunction> All { get; } =
    [
        .. new[] { TextFunctions(), DateFunctions(), NumberFunctions(), ConditionalFunctions(), HashingFunctions() }
            .SelectMany(f => f)
            .OrderBy(f => f.Category)
            .ThenBy(f => f.Name, StringComparer.OrdinalIgnoreCase),
    ];

    // Declared after All: static initializers run in text order.
    private static readonly Dictionary<string, FormulaFunction> ByName = BuildIndex();

    /// <summary>Finds a function by name, ignoring case; null when there is none.</summary>
    public static FormulaFunction? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The function reference as markdown (the generated part of docs/formulas.md).</summary>
    public static string ReferenceMarkdown()
    {
        var markdown = new StringBuilder();
        foreach (var group in All.GroupBy(f => f.Category))
        {
            markdown.Append("### ").Append(group.Key).Append("\n\n");
            markdown.Append("| Function | What it does | Example | Result |\n");
            markdown.Append("|---|---|---|---|\n");
            foreach (var function in group)
            {
                markdown.Append("| `").Append(Cell(function.Signature)).Append("` | ")
                    .Append(Cell(function.Description)).Append(" | `")
                    .Append(Cell(function.Example)).Append("` | `")
                    .Append(Cell(function.ExampleResult)).Append("` |\n");
            }
            markdown.Append('\n');
        }
        return markdown.ToString().TrimEnd('\n') + "\n";
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static Dictionary<string, FormulaFunction> BuildIndex()
    {
        var index = new Dictionary<string, FormulaFunction>(StringComparer.OrdinalIgnoreCase);
        foreach (var function in All)
        {
            if (!index.TryAdd(function.Name, function))
                throw new InvalidOperationException($"Two formula functions are named '{function.Name}'.");
        }
        return index;
    }
}
