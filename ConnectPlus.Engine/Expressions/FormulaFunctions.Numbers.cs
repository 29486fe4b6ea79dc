namespace ConnectPlus.Engine.Expressions;

public static partial class FormulaFunctions
{
    private static IEnumerable<FormulaFunction> NumberFunctions() =>
    [
        new(c => Round(c))
        {
            Name = "round", Category = FormulaCategory.Numbers, Signature = "round(number[, decimals])",
            Description = "The number rounded to `decimals` places (0 by default, up to 28); halves go away from zero (2.5 → 3, -2.5 → -3). Missing stays missing.",
            Example = "round(2.345, 2)", ExampleResult = "2.35", MinArguments = 1, MaxArguments = 2,
        },
        new(c => c.Number(0) is { } n ? decimal.Floor(n) : null)
        {
            Name = "floor", Category = FormulaCategory.Numbers, Signature = "floor(number)",
            Description = "The largest whole number not above the number. Missing stays missing.",
            Example = "floor(-2.5)", ExampleResult = "-3", MinArguments = 1, MaxArguments = 1,
        },
        new(c => c.Number(0) is { } n ? decimal.Ceiling(n) : null)
        {
            Name = "ceiling", Category = FormulaCategory.Numbers, Signature = "ceiling(number)",
            Description = "The smallest whole number not below the number. Missing stays missing.",
            Example = "ceiling(2.1)", ExampleResult = "3", MinArguments = 1, MaxArguments = 1,
        },
        new(c => c.Number(0) is { } n ? Math.Abs(n) : null)
        {
            Name = "abs", Category = FormulaCategory.Numbers, Signature = "abs(number)",
            Description = "The number without its sign. Missing stays missing.",
            Example = "abs(-7.5)", ExampleResult = "7.5", MinArguments = 1, MaxArguments = 1,
        },
        new(c => Extreme(c, smallest: true))
        {
            Name = "min", Category = FormulaCategory.Numbers, Signature = "min(number, ...)",
            Description = "The smallest of the numbers; empty values are skipped; missing when all are empty.",
            Example = "min(3, 1.5, 2)", ExampleResult = "1.5", MinArguments = 1, MaxArguments = null,
        },
        new(c => Extreme(c, smallest: false))
        {
            Name = "max", Category = FormulaCategory.Numbers, Signature = "max(number, ...)",
            Description = "The largest of the numbers; empty values are skipped; missing when all are empty.",
            Example = "max(3, 1.5, 2)", ExampleResult = "3", MinArguments = 1, MaxArguments = null,
        },
        new(c => c.Number(0))
        {
            Name = "toNumber", Category = FormulaCategory.Numbers, Signature = "toNumber(value)",
            Description = "The value as a number: digits with an optional sign, '.' for decimals and an optional exponent (1.5e3); no thousands separators. Empty gives missing; anything else is a row error.",
            Example = "toNumber(' 12.50 ')", ExampleResult = "12.50", MinArguments = 1, MaxArguments = 1,
        },
        new(c => c.Number(0) is { } n ? decimal.Truncate(n) : null)
        {
            Name = "toInteger", Category = FormulaCategory.Numbers, Signature = "toInteger(value)",
            Description = "The value as a whole number, dropping any fraction (12.7 → 12, -12.7 → -12); use round first to round. Empty gives missing; not a number is a row error.",
            Example = "toInteger('12.7')", ExampleResult = "12", MinArguments = 1, MaxArguments = 1,
        },
        new(c => FormulaValues.TryNumber(c.Value(0), out _, out _))
        {
            Name = "isNumber", Category = FormulaCategory.Numbers, Signature = "isNumber(value)",
            Description = "True when the value reads as a number (the rules of toNumber); false for empty values and other text.",
            Example = "isNumber('12.5')", ExampleResult = "true", MinArguments = 1, MaxArguments = 1,
        },
    ];

    private static decimal? Round(FormulaCall c)
    {
        var number = c.Number(0);
        var decimals = c.Count > 1 ? c.Integer(1, "number of decimals") : 0;
        if (decimals is < 0 or > 28) throw c.Error(1, $"the number of decimals must be between 0 and 28, not {decimals}.");
        return number is null ? null : Math.Round(number.Value, decimals, MidpointRounding.AwayFromZero);
    }

    private static decimal? Extreme(FormulaCall c, bool smallest)
    {
        decimal? result = null;
        for (var i = 0; i < c.Count; i++)
        {
            if (c.Number(i) is not { } n) continue;
            if (result is null || (smallest ? n < result : n > result)) result = n;
        }
        return result;
    }
}
