using System.Text.RegularExpressions;

namespace ConnectPlus.Engine.Expressions;

/// <summary>
/// One call of a library function on one row: its arguments, evaluated on demand (so <c>if</c>,
/// <c>case</c> and <c>coalesce</c> only evaluate what they use), converted by the language's type
/// rules, with failures reported as <see cref="FormulaException"/>s that name the function, the
/// argument's column and its value.
/// </summary>
internal readonly struct FormulaCall(FunctionNode node, FormulaScope scope)
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(2);

    public string Name => node.Function.Name;

    /// <summary>Number of arguments given.</summary>
    public int Count => node.Arguments.Length;

    /// <summary>The run's clock.</summary>
    public TimeProvider Time => scope.Time;

    /// <summary>Argument <paramref name="index"/> as it is.</summary>
    public object? Value(int index) => node.Arguments[index].Evaluate(scope);

    /// <summary>Argument as text (missing stays null).</summary>
    public string? Text(int index) => FormulaValues.ToText(Value(index));

    /// <summary>Argument as text, or <paramref name="fallback"/> when the argument was not given.</summary>
    public string? Text(int index, string? fallback) => index < Count ? Text(index) : fallback;

    /// <summary>Argument as a number; null when empty; a row error when it is not a number.</summary>
    public decimal? Number(int index)
    {
        var value = Value(index);
        if (FormulaValues.TryNumber(value, out var number, out var empty)) return number;
        if (empty) return null;
        throw Error(index, $"{Describe(index, value)} is not a number.");
    }

    /// <summary>Argument as a whole number (a count, a position); a row error when missing, fractional or out of range.</summary>
    public int Integer(int index, string what)
    {
        var value = Value(index);
        if (!FormulaValues.TryNumber(value, out var number, out _))
            throw Error(index, $"the {what} must be a whole number, not {Describe(index, value)}.");
        if (number != decimal.Truncate(number) || number < int.MinValue || number > int.MaxValue)
            throw Error(index, $"the {what} must be a whole number, not {number}.");
        return (int)number;
    }

    /// <summary>Argument as a date-time; null when empty; a row error when it is neither a date nor ISO 8601 text.</summary>
    public DateTime? Date(int index)
    {
        var value = Value(index);
        if (FormulaValues.TryDate(value, out var date, out var empty)) return date;
        if (empty) return null;
        throw Error(index, $"{Describe(index, value)} is not a date; give a date (e.g. from parseDate) or ISO text such as 2024-03-15 or 2024-03-15T10:30:00.");
    }

    /// <summary>Argument as true or false; a row error otherwise (missing is not a boolean).</summary>
    public bool Boolean(int index)
    {
        var value = Value(index);
        return FormulaValues.TryBoolean(value, out var flag)
            ? flag
            : throw Error(index, $"{Describe(index, value)} is not true or false.");
    }

    /// <summary>Argument as text that must be given (a format, a separator); a row error when missing.</summary>
    public string RequiredText(int index, string what)
    {
        var text = Text(index);
        return string.IsNullOrEmpty(text) ? throw Error(index, $"the {what} is missing.") : text;
    }

    /// <summary>The regular expression of a pattern argument, compiled once per call site while the pattern stays the same.</summary>
    public Regex Regex(int index)
    {
        var pattern = Text(index) ?? "";
        if (node.Cache is Regex cached && cached.ToString() == pattern) return cached;
        try
        {
            var regex = new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
            node.Cache = regex;
            return regex;
        }
        catch (ArgumentException ex)
        {
            throw Error(index, $"the pattern {FormulaValues.Describe(pattern)} is not a valid regular expression: {ex.Message}");
        }
    }

    /// <summary>A time zone argument (IANA or Windows id), looked up once per call site.</summary>
    public TimeZoneInfo TimeZone(int index)
    {
        var id = RequiredText(index, "time zone");
        if (node.Cache is TimeZoneInfo cached && cached.Id == id) return cached;
        var zone = FindTimeZone(id) ?? throw Error(index, $"unknown time zone '{id}'; use an IANA name such as 'Europe/Paris' or 'Asia/Kolkata', or 'UTC'.");
        node.Cache = zone;
        return zone;
    }

    /// <summary>A row error from this function about one of its arguments.</summary>
    public FormulaException Error(int index, string message) =>
        new($"{Name}: {message}") { Function = Name, Column = index < Count ? node.Arguments[index].Column : null };

    /// <summary>A row error from this function.</summary>
    public FormulaException Error(string message) => new($"{Name}: {message}") { Function = Name };

    /// <summary>"'abc' from column 'amount'" for an argument value.</summary>
    public string Describe(int index, object? value) => node.Arguments[index].Describe(value);

    internal static TimeZoneInfo? FindTimeZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return null;
        }
        catch (InvalidTimeZoneException)
        {
            return null;
        }
    }
}
