namespace ConnectPlus.Engine.Expressions;

public static partial class FormulaFunctions
{
    private static IEnumerable<FormulaFunction> ConditionalFunctions() =>
    [
        new(If)
        {
            Name = "if", Category = FormulaCategory.Conditionals, Signature = "if(condition, then[, else])",
            Description = "`then` when the condition is true, otherwise `else` (missing when not given). Only the chosen branch is evaluated. The condition must be true or false (a missing value is a row error; test it with isEmpty).",
            Example = "if(2 > 1, 'yes', 'no')", ExampleResult = "yes", MinArguments = 2, MaxArguments = 3,
        },
        new(c => In(c))
        {
            Name = "in", Category = FormulaCategory.Conditionals, Signature = "in(value, candidate, ...)",
            Description = "True when the value equals one of the candidates (the rules of `=`). The operator form `[country] in ('FR', 'BE')` does the same.",
            Example = "in('FR', 'FR', 'BE', 'LU')", ExampleResult = "true", MinArguments = 2, MaxArguments = null,
        },
        new(Case)
        {
            Name = "case", Category = FormulaCategory.Conditionals, Signature = "case(value, match, result, ...[, default])",
            Description = "The result paired with the first match equal to the value (the rules of `=`); otherwise `default`, or missing when there is no default (an even number of arguments after the value).",
            Example = "case('G', 'G', 'Gold', 'S', 'Silver', 'Basic')", ExampleResult = "Gold", MinArguments = 3, MaxArguments = null,
        },
        new(c => c.Value(0) is null)
        {
            Name = "isNull", Category = FormulaCategory.Conditionals, Signature = "isNull(value)",
            Description = "True only when the value is missing (null). Empty text is not null; use isEmpty to test for both.",
            Example = "isNull(null)", ExampleResult = "true", MinArguments = 1, MaxArguments = 1,
        },
    ];

    private static object? If(FormulaCall c)
    {
        if (c.Boolean(0)) return c.Value(1);
        return c.Count > 2 ? c.Value(2) : null;
    }

    private static bool In(FormulaCall c)
    {
        var value = c.Value(0);
        for (var i = 1; i < c.Count; i++)
        {
            if (FormulaValues.AreEqual(value, c.Value(i))) return true;
        }
        return false;
    }

    private static object? Case(FormulaCall c)
    {
        var value = c.Value(0);
        var pairs = (c.Count - 1) / 2;
        for (var pair = 0; pair < pairs; pair++)
        {
            var match = 1 + (2 * pair);
            if (FormulaValues.AreEqual(value, c.Value(match))) return c.Value(match + 1);
        }
        var hasDefault = (c.Count - 1) % 2 == 1;
        return hasDefault ? c.Value(c.Count - 1) : null;
    }
}
