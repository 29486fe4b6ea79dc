using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ConnectPlus.Engine.Expressions;

/// <summary>
/// The type rules of the formula language, in one place (docs/formulas.md describes them for users).
/// A value is one of: missing (<c>null</c>), text (<see cref="string"/>), number (<see cref="decimal"/>),
/// boolean, or date-time (<see cref="DateTime"/>). Column values are always text or missing.
/// Conversions use the invariant culture: numbers are written <c>1234.5</c> (no thousands separator),
/// dates are ISO 8601.
/// </summary>
internal static class FormulaValues
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly string[] IsoDateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mmK", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>Number parsing: optional sign, decimal point, exponent, surrounding spaces; no thousands separators.</summary>
    public const NumberStyles NumberStyle = NumberStyles.Float;

    /// <summary>Dates without an offset are taken as UTC; dates with one are converted to UTC.</summary>
    public const DateTimeStyles DateStyle = DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

    /// <summary>Missing, or text that is empty or only spaces.</summary>
    public static bool IsEmpty([NotNullWhen(false)] object? value) => value is null || value is string text && string.IsNullOrWhiteSpace(text);

    /// <summary>The value as text: numbers invariant, booleans <c>true</c>/<c>false</c>, dates ISO 8601; missing stays null.</summary>
    public static string? ToText(object? value) => value switch
    {
        null => null,
        string text => text,
        decimal number => number.ToString(Invariant),
        bool flag => flag ? "true" : "false",
        DateTime date => DateText(date),
        IFormattable other => other.ToString(null, Invariant),
        _ => value.ToString(),
    };

    /// <summary>
    /// A date-time as ISO 8601 text: <c>yyyy-MM-dd</c> when it has no time of day, otherwise
    /// <c>yyyy-MM-ddTHH:mm:ss</c> with fractions when present and <c>Z</c> when it is UTC.
    /// </summary>
    public static string DateText(DateTime date)
    {
        if (date.TimeOfDay == TimeSpan.Zero) return date.ToString("yyyy-MM-dd", Invariant);
        var text = date.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", Invariant);
        return date.Kind == DateTimeKind.Utc ? text + "Z" : text;
    }

    /// <summary>Reads a number from a value: numbers as they are, text parsed invariantly. Empty values give false with <paramref name="empty"/> set.</summary>
    public static bool TryNumber(object? value, out decimal number, out bool empty)
    {
        number = 0;
        empty = false;
        switch (value)
        {
            case decimal d:
                number = d;
                return true;
            case string text when string.IsNullOrWhiteSpace(text):
                empty = true;
                return false;
            case string text:
                return decimal.TryParse(text, NumberStyle, Invariant, out number);
            case null:
                empty = true;
                return false;
            default:
                return false;
        }
    }

    /// <summary>Reads a date-time from a value: date-times as they are, text in ISO 8601 (UTC unless it carries an offset).</summary>
    public static bool TryDate(object? value, out DateTime date, out bool empty)
    {
        date = default;
        empty = false;
        switch (value)
        {
            case DateTime d:
                date = d;
                return true;
            case string text when string.IsNullOrWhiteSpace(text):
                empty = true;
                return false;
            case string text:
                return DateTime.TryParseExact(text.Trim(), IsoDateFormats, Invariant, DateStyle, out date);
            case null:
                empty = true;
                return false;
            default:
                return false;
        }
    }

    /// <summary>Reads a boolean: booleans as they are, text <c>true</c>/<c>false</c> in any case.</summary>
    public static bool TryBoolean(object? value, out bool flag)
    {
        flag = false;
        switch (value)
        {
            case bool b:
                flag = b;
                return true;
            case string text when text.Trim().Equals("true", StringComparison.OrdinalIgnoreCase):
                flag = true;
                return true;
            case string text when text.Trim().Equals("false", StringComparison.OrdinalIgnoreCase):
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Equality (<c>=</c>, <c>in</c>, <c>case</c>): empty equals empty; a number equals text that
    /// reads as the same number; text equals text exactly (case-sensitive); a boolean equals
    /// <c>true</c>/<c>false</c> text; a date equals ISO text of the same instant. Never fails.
    /// </summary>
    public static bool AreEqual(object? left, object? right)
    {
        var leftEmpty = IsEmpty(left);
        var rightEmpty = IsEmpty(right);
        if (leftEmpty || rightEmpty) return leftEmpty && rightEmpty;
        switch (left, right)
        {
            case (string a, string b):
                return string.Equals(a, b, StringComparison.Ordinal);
            case (decimal, _) or (_, decimal):
                return TryNumber(left, out var x, out _) && TryNumber(right, out var y, out _) && x == y;
            case (bool, _) or (_, bool):
                return TryBoolean(left, out var p) && TryBoolean(right, out var q) && p == q;
            case (DateTime, _) or (_, DateTime):
                return TryDate(left, out var s, out _) && TryDate(right, out var t, out _) && s == t;
            default:
                return Equals(left, right);
        }
    }

    /// <summary>A short description of a value for messages: <c>'abc'</c>, <c>12.5</c>, <c>true</c>, <c>(missing)</c>.</summary>
    public static string Describe(object? value)
    {
        var text = ToText(value);
        if (text is null) return "(missing)";
        if (text.Length > 60) text = text[..57] + "...";
        return value is string ? $"'{text}'" : text;
    }

    /// <summary>The kind of a value in words, for messages.</summary>
    public static string KindOf(object? value) => value switch
    {
        null => "a missing value",
        string => "text",
        decimal => "a number",
        bool => "a boolean",
        DateTime => "a date",
        _ => value.GetType().Name,
    };
}
