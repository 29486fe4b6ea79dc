using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Expressions;

namespace ConnectPlus.Tests.Expressions;

/// <summary>A clock that always reads the same instant.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Evaluates formulas against one sample row, with the clock at <see cref="FormulaFunctions.ExampleClock"/>.</summary>
public static class FormulaRunner
{
    /// <summary>The sample row's columns and values.</summary>
    public static IReadOnlyList<(string Column, string? Value)> SampleRow { get; } =
    [
        ("name", "John Smith"),
        ("first name", "John"),
        ("amount", "12.50"),
        ("bad", "abc"),
        ("empty", ""),
        ("missing", null),
        ("date", "15/03/2024"),
        ("iso", "2024-03-15"),
        ("flag", "true"),
        ("code", "007"),
        ("paren", "("),
        ("zone", "Mars/Olympus"),
    ];

    public static FormulaEnvironment Environment { get; } = new() { Time = new FixedClock(FormulaFunctions.ExampleClock) };

    public static RecordSchema Schema { get; } = new(SampleRow.Select(c => c.Column));

    public static Record Row { get; } = new([.. SampleRow.Select(c => c.Value)], new SourceRef("input.csv", 2));

    /// <summary>The formula's result on the sample row, as it is.</summary>
    public static object? Evaluate(string formula) => Formula.Parse(formula).Bind(Schema, Environment).Evaluate(Row);

    /// <summary>The formula's result on the sample row, as text (what Map writes).</summary>
    public static string? Text(string formula) => Formula.Parse(formula).Bind(Schema, Environment).EvaluateText(Row);

    /// <summary>The row error the formula raises on the sample row.</summary>
    public static FormulaException RowError(string formula) => Assert.Throws<FormulaException>(() => Evaluate(formula));

    /// <summary>The reason the formula does not compile.</summary>
    public static InvalidFormulaException CompileError(string formula) => Assert.Throws<InvalidFormulaException>(() => Formula.Parse(formula));
}
