using NCalc;
using NCalc.Helpers;

namespace ConnectPlus.Engine.Expressions;

/// <summary>The state of one evaluation: the row being read and the run's clock. One per bound formula (not thread-safe).</summary>
internal sealed class FormulaScope(FormulaEnvironment environment)
{
    public string?[] Values = [];

    public TimeProvider Time { get; } = environment.Time;
}

/// <summary>
/// A node of a compiled formula. The NCalc syntax tree is turned into these nodes once per input
/// schema, so evaluating a row is a walk over plain objects with column indexes already resolved.
/// </summary>
internal abstract class FormulaNode
{
    public abstract object? Evaluate(FormulaScope scope);

    /// <summary>The column this node reads directly, for messages.</summary>
    public virtual string? Column => null;

    /// <summary>True for literals (their value is known at compile time).</summary>
    public virtual bool IsConstant => false;

    /// <summary>"'abc' from column 'amount'" or "'abc'": how messages show a value this node produced.</summary>
    public string Describe(object? value) =>
        Column is null ? FormulaValues.Describe(value) : $"{FormulaValues.Describe(value)} from column '{Column}'";

    public FormulaException Error(string function, string message) => new(message) { Function = function, Column = Column };
}

internal sealed class ConstantNode(object? value) : FormulaNode
{
    public object? Value { get; } = value;
    public override bool IsConstant => true;
    public override object? Evaluate(FormulaScope scope) => Value;
}

internal sealed class ColumnNode(string name, int index) : FormulaNode
{
    public override string? Column => name;

    public override object? Evaluate(FormulaScope scope)
    {
        var values = scope.Values;
        return (uint)index < (uint)values.Length ? values[index] : null;
    }
}

internal sealed class ArithmeticNode(BinaryExpressionType type, string symbol, FormulaNode left, FormulaNode right) : FormulaNode
{
    public override object? Evaluate(FormulaScope scope)
    {
        var l = left.Evaluate(scope);
        var r = right.Evaluate(scope);
        if (!Operand(left, l, out var a) | !Operand(right, r, out var b)) return null;
        try
        {
            return type switch
            {
                BinaryExpressionType.Plus => a + b,
                BinaryExpressionType.Minus => a - b,
                BinaryExpressionType.Times => a * b,
                BinaryExpressionType.Div when b == 0 => throw new FormulaException($"Operator '/': division by zero ({FormulaValues.Describe(a)} / {right.Describe(r)}).") { Function = symbol, Column = right.Column },
                BinaryExpressionType.Div => a / b,
                BinaryExpressionType.Modulo when b == 0 => throw new FormulaException($"Operator '%': division by zero ({FormulaValues.Describe(a)} % {right.Describe(r)}).") { Function = symbol, Column = right.Column },
                BinaryExpressionType.Modulo => a % b,
                _ => Power(a, b),
            };
        }
        catch (OverflowException)
        {
            throw new FormulaException($"Operator '{symbol}': the result of {a} {symbol} {b} is too large for a number.") { Function = symbol };
        }
    }

    private bool Operand(FormulaNode node, object? value, out decimal number)
    {
        if (FormulaValues.TryNumber(value, out number, out var empty)) return true;
        if (empty) return false;
        var hint = type == BinaryExpressionType.Plus && value is string ? " To join text, use concat(...)." : "";
        throw node.Error(symbol, $"Operator '{symbol}': {node.Describe(value)} is not a number.{hint}");
    }

    private static decimal Power(decimal a, decimal b)
    {
        var result = Math.Pow((double)a, (double)b);
        if (double.IsNaN(result) || double.IsInfinity(result) || Math.Abs(result) > (double)decimal.MaxValue)
            throw new FormulaException($"Operator '**': {a} ** {b} has no number result.") { Function = "**" };
        return (decimal)result;
    }
}

internal sealed class ComparisonNode(BinaryExpressionType type, string symbol, FormulaNode left, FormulaNode right) : FormulaNode
{
    public override object? Evaluate(FormulaScope scope)
    {
        var l = left.Evaluate(scope);
        var r = right.Evaluate(scope);
        switch (type)
        {
            case BinaryExpressionType.Equal: return FormulaValues.AreEqual(l, r);
            case BinaryExpressionType.NotEqual: return !FormulaValues.AreEqual(l, r);
        }
        if (FormulaValues.IsEmpty(l) || FormulaValues.IsEmpty(r)) return false;
        var order = Compare(l, r);
        return type switch
        {
            BinaryExpressionType.Lesser => order < 0,
            BinaryExpressionType.LesserOrEqual => order <= 0,
            BinaryExpressionType.Greater => order > 0,
            _ => order >= 0,
        };
    }

    private int Compare(object l, object r)
    {
        if (l is string a && r is string b)
        {
            return FormulaValues.TryNumber(a, out var x, out _) && FormulaValues.TryNumber(b, out var y, out _)
                ? x.CompareTo(y)
                : string.CompareOrdinal(a, b);
        }
        if (l is decimal || r is decimal)
        {
            if (!FormulaValues.TryNumber(l, out var x, out _)) throw Mismatch(left, l, right, r);
            if (!FormulaValues.TryNumber(r, out var y, out _)) throw Mismatch(right, r, left, l);
            return x.CompareTo(y);
        }
        if (l is DateTime || r is DateTime)
        {
            if (!FormulaValues.TryDate(l, out var x, out _)) throw Mismatch(left, l, right, r);
            if (!FormulaValues.TryDate(r, out var y, out _)) throw Mismatch(right, r, left, l);
            return x.CompareTo(y);
        }
        throw new FormulaException($"Operator '{symbol}': {left.Describe(l)} and {right.Describe(r)} cannot be put in order; compare numbers, dates or text.") { Function = symbol };
    }

    private FormulaException Mismatch(FormulaNode bad, object value, FormulaNode other, object otherValue) =>
        bad.Error(symbol, $"Operator '{symbol}': cannot compare {bad.Describe(value)} with {FormulaValues.KindOf(otherValue)} ({other.Describe(otherValue)}).");
}

internal sealed class LogicalNode(bool isAnd, FormulaNode left, FormulaNode right) : FormulaNode
{
    public override object? Evaluate(FormulaScope scope)
    {
        var symbol = isAnd ? "and" : "or";
        var l = Boolean(left, left.Evaluate(scope), symbol);
        if (isAnd ? !l : l) return l;
        return Boolean(right, right.Evaluate(scope), symbol);
    }

    public static bool Boolean(FormulaNode node, object? value, string symbol) =>
        FormulaValues.TryBoolean(value, out var flag)
            ? flag
            : throw node.Error(symbol, $"'{symbol}': {node.Describe(value)} is not true or false.");
}

internal sealed class NotNode(FormulaNode operand) : FormulaNode
{
    public override object? Evaluate(FormulaScope scope) => !LogicalNode.Boolean(operand, operand.Evaluate(scope), "not");
}

internal sealed class NegateNode(FormulaNode operand, bool negate) : FormulaNode
{
    public override object? Evaluate(FormulaScope scope)
    {
        var value = operand.Evaluate(scope);
        if (FormulaValues.TryNumber(value, out var number, out var empty)) return negate ? -number : number;
        if (empty) return null;
        var symbol = negate ? "-" : "+";
        throw operand.Error(symbol, $"Operator '{symbol}': {operand.Describe(value)} is not a number.");
    }
}

internal sealed class ConditionalNode(FormulaNode condition, FormulaNode whenTrue, FormulaNode whenFalse) : FormulaNode
{
    public override object? Evaluate(FormulaScope scope) =>
        LogicalNode.Boolean(condition, condition.Evaluate(scope), "? :") ? whenTrue.Evaluate(scope) : whenFalse.Evaluate(scope);
}

internal sealed class InListNode(FormulaNode value, FormulaNode[] candidates, bool negate) : FormulaNode
{
    public override object? Evaluate(FormulaScope scope)
    {
        var v = value.Evaluate(scope);
        foreach (var candidate in candidates)
        {
            if (FormulaValues.AreEqual(v, candidate.Evaluate(scope))) return !negate;
        }
        return negate;
    }
}

internal sealed class LikeNode(FormulaNode value, FormulaNode pattern, bool negate) : FormulaNode
{
    public override object? Evaluate(FormulaScope scope)
    {
        var text = FormulaValues.ToText(value.Evaluate(scope));
        var like = FormulaValues.ToText(pattern.Evaluate(scope));
        if (text is null || like is null) return negate;
        return LikeOperatorHelper.Like(text, like, StringComparer.Ordinal) != negate;
    }
}

internal sealed class CoalesceNode(FormulaNode left, FormulaNode right) : FormulaNode
{
    public override object? Evaluate(FormulaScope scope)
    {
        var value = left.Evaluate(scope);
        return FormulaValues.IsEmpty(value) ? right.Evaluate(scope) : value;
    }
}

internal sealed class FunctionNode(FormulaFunction function, FormulaNode[] arguments) : FormulaNode
{
    public FormulaFunction Function { get; } = function;
    public FormulaNode[] Arguments { get; } = arguments;

    /// <summary>Per call site memory for a function (e.g. the compiled regular expression of its pattern).</summary>
    public object? Cache;

    public override object? Evaluate(FormulaScope scope)
    {
        try
        {
            return Function.Invoke(new FormulaCall(this, scope));
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException or System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            // .NET's own messages are clear ("Input string was not in a correct format", "The added
            // or subtracted value results in an un-representable DateTime"); say which function failed.
            throw new FormulaException($"{Function.Name}: {ex.Message}", ex) { Function = Function.Name };
        }
    }
}
