using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Expressions;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Expressions;

/// <summary>The function library is complete, documented, and its examples work.</summary>
public sealed class FormulaLibraryTests
{
    private const string ReferenceStart = "<!-- function-reference:start (generated from FormulaFunctions.All; see FormulaLibraryTests) -->";
    private const string ReferenceEnd = "<!-- function-reference:end -->";

    public static TheoryData<string> FunctionNames => [.. FormulaFunctions.All.Select(f => f.Name)];

    [Fact]
    public void All_HasTheFunctionsTheFormulaLanguagePromises()
    {
        string[] promised =
        [
            "upper", "lower", "trim", "left", "right", "substring", "mid", "replace", "concat", "len", "padLeft", "padRight",
            "contains", "startsWith", "endsWith", "split", "regexMatch", "regexReplace", "coalesce", "isEmpty", "formatNumber",
            "today", "now", "parseDate", "formatDate", "reformatDate", "addDays", "dateDiff",
            "round", "floor", "ceiling", "abs", "min", "max", "toNumber", "toInteger",
            "if", "in", "case", "isNull",
            "sha256", "sha512", "sha1", "md5",
        ];

        var missing = promised.Where(name => FormulaFunctions.Find(name) is null).ToList();

        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(FunctionNames))]
    public void Function_IsDocumented(string name)
    {
        var function = FormulaFunctions.Find(name)!;

        Assert.StartsWith(function.Name + "(", function.Signature, StringComparison.Ordinal);
        Assert.True(function.Description.Length >= 20, $"{name}: the description is too short to help anyone.");
        Assert.EndsWith(".", function.Description, StringComparison.Ordinal);
        Assert.Contains(function.Name + "(", function.Example, StringComparison.OrdinalIgnoreCase);
        Assert.False(string.IsNullOrEmpty(function.ExampleResult), $"{name}: the example has no result.");
    }

    [Theory]
    [MemberData(nameof(FunctionNames))]
    public void Function_ExampleGivesTheDocumentedResult(string name)
    {
        var function = FormulaFunctions.Find(name)!;
        var environment = new FormulaEnvironment { Time = new FixedClock(FormulaFunctions.ExampleClock) };

        var result = Formula.Parse(function.Example).Bind(new RecordSchema([]), environment).EvaluateText(new Record([], SourceRef.None));

        Assert.Equal(function.ExampleResult, result);
    }

    [Theory]
    [MemberData(nameof(FunctionNames))]
    public void Function_AcceptsItsDocumentedArgumentCounts_AndRefusesOthers(string name)
    {
        var function = FormulaFunctions.Find(name)!;
        string Call(int count) => $"{name}({string.Join(", ", Enumerable.Repeat("'x'", count))})";

        Assert.True(Formula.TryParse(Call(function.MinArguments), out _, out var error), error);
        if (function.MinArguments > 0) Assert.Throws<InvalidFormulaException>(() => Formula.Parse(Call(function.MinArguments - 1)));
        if (function.MaxArguments is { } max) Assert.Throws<InvalidFormulaException>(() => Formula.Parse(Call(max + 1)));
        else Assert.True(Formula.TryParse(Call(function.MinArguments + 5), out _, out error), error);
    }

    [Fact]
    public void FormulasPage_HasTheGeneratedFunctionReference()
    {
        var path = Path.Combine(TestRepository.Root, "docs", "formulas.md");
        var page = File.ReadAllText(path).ReplaceLineEndings("\n");
        var generated = FormulaFunctions.ReferenceMarkdown();
        var start = page.IndexOf(ReferenceStart, StringComparison.Ordinal);
        var end = page.IndexOf(ReferenceEnd, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"docs/formulas.md must contain the markers {ReferenceStart} and {ReferenceEnd}.");
        var current = page[(start + ReferenceStart.Length)..end].Trim('\n') + "\n";

        if (current != generated && Environment.GetEnvironmentVariable("CONNECTPLUS_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, page[..(start + ReferenceStart.Length)] + "\n\n" + generated + "\n" + page[end..]);
            current = generated;
        }

        Assert.True(current == generated, "docs/formulas.md is out of date with FormulaFunctions.All. Run the tests once with CONNECTPLUS_UPDATE_DOCS=1 to regenerate the reference section.");
    }

    [Theory]
    [MemberData(nameof(FunctionNames))]
    public void FormulasPage_ListsEveryFunction(string name)
    {
        var page = File.ReadAllText(Path.Combine(TestRepository.Root, "docs", "formulas.md"));

        Assert.Contains($"`{FormulaFunctions.Find(name)!.Signature}`", page, StringComparison.Ordinal);
    }
}
