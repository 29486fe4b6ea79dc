namespace ConnectPlus.Engine.Expressions;

/// <summary>
/// A formula failed on one row (a value that is not a number, a date that does not match its
/// format, a function given a bad argument). The message names the function or operator, the
/// column and the value; the calling block rejects the row with it and the run goes on.
/// </summary>
public sealed class FormulaException : Exception
{
    public FormulaException() { }
    public FormulaException(string message) : base(message) { }
    public FormulaException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The function or operator that failed, e.g. <c>toNumber</c> or <c>*</c>, when known.</summary>
    public string? Function { get; init; }

    /// <summary>The column whose value was at fault, when the value came straight from a column.</summary>
    public string? Column { get; init; }
}

/// <summary>
/// A formula cannot be compiled: bad syntax, an unknown function, a wrong number of arguments, an
/// unsupported operator or a bad constant (e.g. a regular expression that does not parse).
/// Raised at design time (validation) and when a block starts, never per row.
/// </summary>
public sealed class InvalidFormulaException : Exception
{
    public InvalidFormulaException() { }
    public InvalidFormulaException(string message) : base(message) { }
    public InvalidFormulaException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception for a formula and the reason it is not valid.</summary>
    public InvalidFormulaException(string formula, string reason, Exception? inner = null)
        : base($"The formula {Quote(formula)} is not valid: {reason}", inner)
    {
        Formula = formula;
        Reason = reason;
    }

    /// <summary>The formula text.</summary>
    public string? Formula { get; }

    /// <summary>Why it is not valid, without the formula.</summary>
    public string? Reason { get; }

    private static string Quote(string formula) => formula.Length <= 200 ? $"'{formula}'" : $"'{formula[..200]}…'";
}
