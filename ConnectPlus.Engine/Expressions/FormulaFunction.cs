namespace ConnectPlus.Engine.Expressions;

/// <summary>Group of a formula function in the reference and in the formula editor.</summary>
public enum FormulaCategory
{
    Text,
    Dates,
    Numbers,
    Conditionals,
    Hashing,
}

/// <summary>
/// One function of the formula library: what the formula editor lists and what docs/formulas.md
/// shows, and the code that runs it. Every function has a worked example (checked by a test).
/// </summary>
public sealed class FormulaFunction
{
    internal FormulaFunction(Func<FormulaCall, object?> invoke) => Invoke = invoke;

    /// <summary>Name used in formulas (matched ignoring case), e.g. <c>padLeft</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Group in the reference.</summary>
    public required FormulaCategory Category { get; init; }

    /// <summary>How to call it; optional arguments in brackets, <c>...</c> for "any number more", e.g. <c>round(number[, decimals])</c>.</summary>
    public required string Signature { get; init; }

    /// <summary>What it does, including what it does with missing values.</summary>
    public required string Description { get; init; }

    /// <summary>A formula using it, e.g. <c>padLeft('42', 6, '0')</c>.</summary>
    public required string Example { get; init; }

    /// <summary>The text the example gives (examples run with the clock at <see cref="FormulaFunctions.ExampleClock"/>).</summary>
    public required string ExampleResult { get; init; }

    /// <summary>Fewest arguments accepted.</summary>
    public required int MinArguments { get; init; }

    /// <summary>Most arguments accepted; null for any number.</summary>
    public required int? MaxArguments { get; init; }

    /// <summary>Whether the result depends on the clock (today, now) rather than only on the arguments.</summary>
    public bool UsesClock { get; init; }

    internal Func<FormulaCall, object?> Invoke { get; }

    /// <summary>Checks an argument given as a literal when the formula compiles; returns why it is wrong, or null.</summary>
    internal Func<int, object?, string?>? CheckConstant { get; init; }

    public override string ToString() => Signature;
}
