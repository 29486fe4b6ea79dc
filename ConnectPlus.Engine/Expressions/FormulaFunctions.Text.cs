using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ConnectPlus.Engine.Expressions;

public static partial class FormulaFunctions
{
    private const int MaxPadWidth = 10_000;

    private static IEnumerable<FormulaFunction> TextFunctions() =>
    [
        new(c => c.Text(0)?.ToUpperInvariant())
        {
            Name = "upper", Category = FormulaCategory.Text, Signature = "upper(text)",
            Description = "The text in capital letters. Missing stays missing.",
            Example = "upper('John Smith')", ExampleResult = "JOHN SMITH", MinArguments = 1, MaxArguments = 1,
        },
        new(c => c.Text(0)?.ToLowerInvariant())
        {
            Name = "lower", Category = FormulaCategory.Text, Signature = "lower(text)",
            Description = "The text in small letters. Missing stays missing.",
            Example = "lower('John.Smith@Example.COM')", ExampleResult = "john.smith@example.com", MinArguments = 1, MaxArguments = 1,
        },
        new(c => c.Text(0)?.Trim())
        {
            Name = "trim", Category = FormulaCategory.Text, Signature = "trim(text)",
            Description = "The text without spaces, tabs and line breaks at either end. Missing stays missing.",
            Example = "trim('   42  ')", ExampleResult = "42", MinArguments = 1, MaxArguments = 1,
        },
        new(Left)
        {
            Name = "left", Category = FormulaCategory.Text, Signature = "left(text, count)",
            Description = "The first `count` characters (all of the text when it is shorter). Missing stays missing.",
            Example = "left('ABC-123', 3)", ExampleResult = "ABC", MinArguments = 2, MaxArguments = 2,
        },
        new(Right)
        {
            Name = "right", Category = FormulaCategory.Text, Signature = "right(text, count)",
            Description = "The last `count` characters (all of the text when it is shorter). Missing stays missing.",
            Example = "right('ABC-123', 3)", ExampleResult = "123", MinArguments = 2, MaxArguments = 2,
        },
        new(Substring)
        {
            Name = "substring", Category = FormulaCategory.Text, Signature = "substring(text, start[, length])",
            Description = "Part of the text from position `start` (the first character is 1), `length` characters long or to the end. A start past the end gives empty text. Missing stays missing.",
            Example = "substring('ABC-123', 5, 2)", ExampleResult = "12", MinArguments = 2, MaxArguments = 3,
        },
        new(Substring)
        {
            Name = "mid", Category = FormulaCategory.Text, Signature = "mid(text, start[, length])",
            Description = "Same as `substring`: part of the text from position `start` (1 = first character).",
            Example = "mid('2024-03-15', 6, 2)", ExampleResult = "03", MinArguments = 2, MaxArguments = 3,
        },
        new(Replace)
        {
            Name = "replace", Category = FormulaCategory.Text, Signature = "replace(text, find, replacement)",
            Description = "The text with every occurrence of `find` replaced (exact, case-sensitive). For patterns use `regexReplace`. Missing stays missing.",
            Example = "replace('+33 6 12 34', ' ', '')", ExampleResult = "+3361234", MinArguments = 3, MaxArguments = 3,
        },
        new(Concat)
        {
            Name = "concat", Category = FormulaCategory.Text, Signature = "concat(value, ...)",
            Description = "All the values joined into one text; missing values count as empty. Use this (not `+`) to join text.",
            Example = "concat('John', ' ', 'Smith')", ExampleResult = "John Smith", MinArguments = 1, MaxArguments = null,
        },
        new(c => (decimal)(c.Text(0)?.Length ?? 0))
        {
            Name = "len", Category = FormulaCategory.Text, Signature = "len(text)",
            Description = "Number of characters in the text; 0 when missing.",
            Example = "len('Hello')", ExampleResult = "5", MinArguments = 1, MaxArguments = 1,
        },
        new(c => Pad(c, left: true))
        {
            Name = "padLeft", Category = FormulaCategory.Text, Signature = "padLeft(text, width[, character])",
            Description = "The text made `width` characters long by adding `character` (a space by default) in front; longer text is left as it is. Missing stays missing.",
            Example = "padLeft('42', 6, '0')", ExampleResult = "000042", MinArguments = 2, MaxArguments = 3,
        },
        new(c => Pad(c, left: false))
        {
            Name = "padRight", Category = FormulaCategory.Text, Signature = "padRight(text, width[, character])",
            Description = "The text made `width` characters long by adding `character` (a space by default) at the end; longer text is left as it is. Missing stays missing.",
            Example = "padRight('AB', 5, '*')", ExampleResult = "AB***", MinArguments = 2, MaxArguments = 3,
        },
        new(c => c.Text(0) is { } text && text.Contains(c.Text(1) ?? "", StringComparison.Ordinal))
        {
            Name = "contains", Category = FormulaCategory.Text, Signature = "contains(text, find)",
            Description = "True when the text contains `find` (case-sensitive; use `lower` on both for any case). False when the text is missing.",
            Example = "contains('john@example.com', '@')", ExampleResult = "true", MinArguments = 2, MaxArguments = 2,
        },
        new(c => c.Text(0) is { } text && text.StartsWith(c.Text(1) ?? "", StringComparison.Ordinal))
        {
            Name = "startsWith", Category = FormulaCategory.Text, Signature = "startsWith(text, prefix)",
            Description = "True when the text begins with `prefix` (case-sensitive). False when the text is missing.",
            Example = "startsWith('+33612345678', '+33')", ExampleResult = "true", MinArguments = 2, MaxArguments = 2,
        },
        new(c => c.Text(0) is { } text && text.EndsWith(c.Text(1) ?? "", StringComparison.Ordinal))
        {
            Name = "endsWith", Category = FormulaCategory.Text, Signature = "endsWith(text, suffix)",
            Description = "True when the text ends with `suffix` (case-sensitive). False when the text is missing.",
            Example = "endsWith('report.csv', '.csv')", ExampleResult = "true", MinArguments = 2, MaxArguments = 2,
        },
        new(Split)
        {
            Name = "split", Category = FormulaCategory.Text, Signature = "split(text, separator, index)",
            Description = "Cuts the text at each `separator` and gives part number `index` (1 = first, -1 = last). Missing when there is no such part or the text is missing.",
            Example = "split('John;Smith;Paris', ';', 2)", ExampleResult = "Smith", MinArguments = 3, MaxArguments = 3,
        },
        new(c => c.Text(0) is { } text && c.Regex(1).IsMatch(text))
        {
            Name = "regexMatch", Category = FormulaCategory.Text, Signature = "regexMatch(text, pattern)",
            Description = "True when the .NET regular expression `pattern` matches somewhere in the text (anchor with ^ and $ for the whole text). False when the text is missing. In a formula, write a backslash twice: `'\\\\d'`.",
            Example = "regexMatch('AB-1234', '^[A-Z]{2}-[0-9]{4}$')", ExampleResult = "true", MinArguments = 2, MaxArguments = 2,
            CheckConstant = CheckPattern,
        },
        new(c => c.Text(0) is { } text ? c.Regex(1).Replace(text, c.Text(2) ?? "") : null)
        {
            Name = "regexReplace", Category = FormulaCategory.Text, Signature = "regexReplace(text, pattern, replacement)",
            Description = "The text with every match of the regular expression `pattern` replaced; the replacement may use groups ($1, $2). Missing stays missing.",
            Example = "regexReplace('06 12-34.56', '[^0-9]', '')", ExampleResult = "06123456", MinArguments = 3, MaxArguments = 3,
            CheckConstant = CheckPattern,
        },
        new(Coalesce)
        {
            Name = "coalesce", Category = FormulaCategory.Text, Signature = "coalesce(value, ...)",
            Description = "The first value that is not empty (missing, or text of only spaces, counts as empty); missing when all are. Later values are only evaluated when needed.",
            Example = "coalesce('', 'fallback')", ExampleResult = "fallback", MinArguments = 1, MaxArguments = null,
        },
        new(c => FormulaValues.IsEmpty(c.Value(0)))
        {
            Name = "isEmpty", Category = FormulaCategory.Text, Signature = "isEmpty(value)",
            Description = "True when the value is missing, empty text or only spaces.",
            Example = "isEmpty('   ')", ExampleResult = "true", MinArguments = 1, MaxArguments = 1,
        },
        new(FormatNumber)
        {
            Name = "formatNumber", Category = FormulaCategory.Text, Signature = "formatNumber(number, format)",
            Description = "The number as text in a .NET number format (invariant culture: `.` for decimals, `,` for thousands), e.g. '0.00', '#,##0', '000000'. Missing stays missing.",
            Example = "formatNumber(1234.5, '#,##0.00')", ExampleResult = "1,234.50", MinArguments = 2, MaxArguments = 2,
        },
    ];

    private static string? Left(FormulaCall c)
    {
        var text = c.Text(0);
        var count = NonNegative(c, 1, "count");
        return text is null || text.Length <= count ? text : text[..count];
    }

    private static string? Right(FormulaCall c)
    {
        var text = c.Text(0);
        var count = NonNegative(c, 1, "count");
        return text is null || text.Length <= count ? text : text[^count..];
    }

    private static string? Substring(FormulaCall c)
    {
        var text = c.Text(0);
        var start = c.Integer(1, "start");
        if (start < 1) throw c.Error(1, $"the start must be 1 or more (1 is the first character), not {start}.");
        var length = c.Count > 2 ? NonNegative(c, 2, "length") : int.MaxValue;
        if (text is null) return null;
        if (start > text.Length) return "";
        var available = text.Length - (start - 1);
        return text.Substring(start - 1, Math.Min(length, available));
    }

    private static string? Replace(FormulaCall c)
    {
        var text = c.Text(0);
        var find = c.Text(1);
        var replacement = c.Text(2) ?? "";
        return text is null || string.IsNullOrEmpty(find) ? text : text.Replace(find, replacement, StringComparison.Ordinal);
    }

    private static string Concat(FormulaCall c)
    {
        switch (c.Count)
        {
            case 1: return c.Text(0) ?? "";
            case 2: return string.Concat(c.Text(0), c.Text(1));
            case 3: return string.Concat(c.Text(0), c.Text(1), c.Text(2));
            case 4: return string.Concat(c.Text(0), c.Text(1), c.Text(2), c.Text(3));
        }
        var joined = new StringBuilder();
        for (var i = 0; i < c.Count; i++) joined.Append(c.Text(i));
        return joined.ToString();
    }

    private static string? Pad(FormulaCall c, bool left)
    {
        var text = c.Text(0);
        var width = NonNegative(c, 1, "width");
        if (width > MaxPadWidth) throw c.Error(1, $"the width must be {MaxPadWidth} or less, not {width}.");
        var fill = ' ';
        if (c.Count > 2)
        {
            var given = c.Text(2);
            if (given is not { Length: 1 }) throw c.Error(2, $"the padding must be exactly one character, not {c.Describe(2, given)}.");
            fill = given[0];
        }
        if (text is null) return null;
        return left ? text.PadLeft(width, fill) : text.PadRight(width, fill);
    }

    private static string? Split(FormulaCall c)
    {
        var text = c.Text(0);
        var separator = c.RequiredText(1, "separator");
        var index = c.Integer(2, "index");
        if (index == 0) throw c.Error(2, "the index must be 1 or more (1 = first part), or negative to count from the end (-1 = last part); 0 is not a part.");
        if (text is null) return null;
        var parts = text.Split(separator);
        var position = index > 0 ? index - 1 : parts.Length + index;
        return position >= 0 && position < parts.Length ? parts[position] : null;
    }

    private static object? Coalesce(FormulaCall c)
    {
        for (var i = 0; i < c.Count; i++)
        {
            var value = c.Value(i);
            if (!FormulaValues.IsEmpty(value)) return value;
        }
        return null;
    }

    private static string? FormatNumber(FormulaCall c)
    {
        var number = c.Number(0);
        var format = c.RequiredText(1, "format");
        return number?.ToString(format, CultureInfo.InvariantCulture);
    }

    private static int NonNegative(FormulaCall c, int index, string what)
    {
        var value = c.Integer(index, what);
        return value >= 0 ? value : throw c.Error(index, $"the {what} must be 0 or more, not {value}.");
    }

    private static string? CheckPattern(int index, object? value)
    {
        if (index != 1 || value is not string pattern) return null;
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"the pattern '{pattern}' is not a valid regular expression: {ex.Message}";
        }
    }
}
