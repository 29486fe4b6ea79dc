using NCalc;

namespace ConnectPlus.Engine.Expressions;

/// <summary>
/// Turns NCalc's syntax tree into <see cref="FormulaNode"/>s, checking what can be checked before
/// any row is seen: functions exist and get the right number of arguments, operators are supported,
/// literal patterns and time zones are valid. Column names resolve to indexes through a callback.
/// </summary>
internal sealed class FormulaCompiler(string text, Func<string, int> columnIndex)
{
    private readonly List<string> _columns = [];

    /// <summary>Columns referenced, in order of first use (names as written).</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>Whether the formula reads the clock (today, now).</summary>
    public bool UsesClock { get; private set; }

    public FormulaNode Compile(LogicalExpression expression) => expression switch
    {
        ValueExpression value => new ConstantNode(Literal(value)),
        Identifier identifier => Column(identifier.Name),
        UnaryExpression unary => Unary(unary),
        BinaryExpression binary => Binary(binary),
        TernaryExpression ternary => new ConditionalNode(Compile(ternary.LeftExpression), Compile(ternary.MiddleExpression), Compile(ternary.RightExpression)),
        Function function => Function(function),
        LogicalExpressionList => throw Invalid("a list in parentheses, like ('a', 'b'), can only follow 'in' or 'not in'."),
        _ => throw Invalid($"'{expression}' is not supported."),
    };

    private FormulaNode Column(string name)
    {
        if (name.Equals("null", StringComparison.OrdinalIgnoreCase)) return new ConstantNode(null);
        if (!_columns.Contains(name, StringComparer.OrdinalIgnoreCase)) _columns.Add(name);
        return new ColumnNode(name, columnIndex(name));
    }

    private object? Literal(ValueExpression value) => value.Value switch
    {
        string s => s,
        int i => (decimal)i,
        long l => (decimal)l,
        decimal d => d,
        double d when !double.IsFinite(d) || Math.Abs(d) > (double)decimal.MaxValue => throw Invalid($"the number {d} is too large."),
        double d => (decimal)d,
        bool b => b,
        DateTime d => d,
        _ => throw Invalid($"{value.Value} is not a value formulas know; write text in quotes ('like this') and numbers with digits and '.'."),
    };

    private FormulaNode Unary(UnaryExpression unary) => unary.Type switch
    {
        UnaryExpressionType.Not => new NotNode(Compile(unary.Expression)),
        UnaryExpressionType.Negate => new NegateNode(Compile(unary.Expression), negate: true),
        UnaryExpressionType.Positive => new NegateNode(Compile(unary.Expression), negate: false),
        UnaryExpressionType.Factorial => throw Invalid("the factorial operator '!' after a value is not supported."),
        _ => throw Invalid("bitwise operators such as '~' are not supported."),
    };

    private FormulaNode Binary(BinaryExpression binary)
    {
        var type = binary.Type;
        switch (type)
        {
            case BinaryExpressionType.And or BinaryExpressionType.Or:
                return new LogicalNode(type == BinaryExpressionType.And, Compile(binary.LeftExpression), Compile(binary.RightExpression));
            case BinaryExpressionType.In or BinaryExpressionType.NotIn:
                return new InListNode(Compile(binary.LeftExpression), Candidates(binary.RightExpression), type == BinaryExpressionType.NotIn);
            case BinaryExpressionType.Like or BinaryExpressionType.NotLike:
                return new LikeNode(Compile(binary.LeftExpression), Compile(binary.RightExpression), type == BinaryExpressionType.NotLike);
            case BinaryExpressionType.Coalesce:
                return new CoalesceNode(Compile(binary.LeftExpression), Compile(binary.RightExpression));
        }
        if (ComparisonSymbol(type) is { } comparison)
            return new ComparisonNode(type, comparison, Compile(binary.LeftExpression), Compile(binary.RightExpression));
        if (ArithmeticSymbol(type) is { } arithmetic)
            return new ArithmeticNode(type, arithmetic, Compile(binary.LeftExpression), Compile(binary.RightExpression));
        throw Invalid("bitwise operators (&, |, ^, <<, >>) are not supported; use 'and' / 'or' (or && / ||) to combine conditions.");
    }

    private FormulaNode[] Candidates(LogicalExpression list) =>
        list is LogicalExpressionList items ? [.. items.Select(Compile)] : [Compile(list)];

    private FunctionNode Function(Function call)
    {
        var name = call.Identifier.Name;
        var function = FormulaFunctions.Find(name) ?? throw Invalid(UnknownFunction(name));
        var count = call.Parameters.Count;
        if (count < function.MinArguments || count > (function.MaxArguments ?? int.MaxValue))
            throw Invalid($"{function.Name} takes {Arity(function)}: {function.Signature}; it was given {count}.");
        var arguments = call.Parameters.Select(Compile).ToArray();
        for (var i = 0; i < arguments.Length; i++)
        {
            if (arguments[i] is ConstantNode constant && function.CheckConstant?.Invoke(i, constant.Value) is { } problem)
                throw Invalid($"{function.Name}: {problem}");
        }
        UsesClock |= function.UsesClock;
        return new FunctionNode(function, arguments);
    }

    private InvalidFormulaException Invalid(string reason) => new(text, reason);

    private static string Arity(FormulaFunction function) => function switch
    {
        { MaxArguments: null } => $"at least {Plural(function.MinArguments)}",
        { MinArguments: var min, MaxArguments: var max } when min == max => Plural(min),
        _ => $"{function.MinArguments} to {function.MaxArguments} arguments",
    };

    private static string Plural(int count) => count == 1 ? "1 argument" : $"{count} arguments";

    private static string UnknownFunction(string name)
    {
        var closest = FormulaFunctions.All
            .Select(f => (f.Name, Distance: EditDistance(name.ToLowerInvariant(), f.Name.ToLowerInvariant())))
            .MinBy(f => f.Distance);
        return closest.Distance <= 2
            ? $"there is no function '{name}'. Did you mean '{closest.Name}'?"
            : $"there is no function '{name}'. The functions are listed in docs/formulas.md.";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static string? ComparisonSymbol(BinaryExpressionType type) => type switch
    {
        BinaryExpressionType.Equal => "=",
        BinaryExpressionType.NotEqual => "!=",
        BinaryExpressionType.Lesser => "<",
        BinaryExpressionType.LesserOrEqual => "<=",
        BinaryExpressionType.Greater => ">",
        BinaryExpressionType.GreaterOrEqual => ">=",
        _ => null,
    };

    private static string? ArithmeticSymbol(BinaryExpressionType type) => type switch
    {
        BinaryExpressionType.Plus => "+",
        BinaryExpressionType.Minus => "-",
        BinaryExpressionType.Times => "*",
        BinaryExpressionType.Div => "/",
        BinaryExpressionType.Modulo => "%",
        BinaryExpressionType.Exponentiation => "**",
        _ => null,
    };
}
