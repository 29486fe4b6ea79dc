using System.Buffers;
using System.Globalization;
using System.Text;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Files;

/// <summary>What the tokens of a file name template stand for.</summary>
/// <param name="Date">
/// <c>{date:FORMAT}</c>: when the run started, formatted in UTC (so a dataflow names its files the
/// same whichever server runs it).
/// </param>
/// <param name="Source"><c>{source}</c>: a source file name; folders and the extension are dropped.</param>
/// <param name="RunId"><c>{run}</c>: the run id.</param>
/// <param name="NodeId"><c>{node}</c>: the block's id in the dataflow.</param>
public readonly record struct FileNameValues(DateTimeOffset Date, string? Source, string RunId, string NodeId)
{
    /// <summary>The values of a block's run, with the given source file name.</summary>
    public static FileNameValues For(BlockContext context, string? source)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new(context.RunStarted, source, context.RunId, context.NodeId);
    }
}

/// <summary>
/// File name templates of the blocks that write files (Write CSV, Local folder destination): literal
/// text with the tokens <c>{date:FORMAT}</c> (run start in UTC, .NET date format, <c>yyyyMMdd</c> when
/// no format is given), <c>{source}</c> (source file name without extension; <c>output</c> when there
/// is none), <c>{run}</c> (run id) and <c>{node}</c> (block id). Characters a file name cannot hold
/// on Windows or Linux (<c>/ \ : * ? " &lt; &gt; |</c> and control characters) are replaced with
/// <c>_</c> in token values and refused in the literal text.
/// </summary>
public static class FileNameTemplate
{
    /// <summary>Date format of a <c>{date}</c> token without one.</summary>
    public const string DefaultDateFormat = "yyyyMMdd";

    /// <summary>What <c>{source}</c> becomes when there is no source file (e.g. no rows arrived).</summary>
    public const string NoSource = "output";

    /// <summary>The tokens, as a help text lists them.</summary>
    public const string Tokens = "{date:FORMAT}, {source}, {run}, {node}";

    private static readonly SearchValues<char> Invalid =
        SearchValues.Create("/\\:*?\"<>|\0\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D\x0E\x0F\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C\x1D\x1E\x1F");

    /// <summary>Checks a template; returns what is wrong with it in words a user can act on, or null when it is fine.</summary>
    public static string? Check(string? template) =>
        string.IsNullOrWhiteSpace(template) ? "Give a file name, e.g. output_{date:yyyyMMdd}.csv." : Walk(template, null, default);

    /// <summary>Expands a template (checked with <see cref="Check"/>) into a file name.</summary>
    /// <exception cref="BlockException">The template is not valid, or expands to no usable name.</exception>
    public static string Expand(string template, FileNameValues values, string setting)
    {
        var output = new StringBuilder(template.Length + 32);
        var error = Check(template) ?? Walk(template, output, values);
        if (error is not null) throw new BlockException($"File name template '{template}': {error}") { Setting = setting };
        var name = output.ToString().TrimEnd(' ', '.');
        if (name.Length == 0)
            throw new BlockException($"File name template '{template}' gives the file name '{output}', which cannot be used. Add some text to it.") { Setting = setting };
        return name;
    }

    /// <summary>Replaces the characters a file name cannot hold with '_'.</summary>
    public static string Sanitize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny(Invalid) < 0) return value;
        return string.Create(value.Length, value, static (span, text) =>
        {
            text.AsSpan().CopyTo(span);
            for (var i = 0; i < span.Length; i++)
            {
                if (Invalid.Contains(span[i])) span[i] = '_';
            }
        });
    }

    // Reads the template; appends the expansion to output when given. Returns an error or null.
    private static string? Walk(string template, StringBuilder? output, FileNameValues values)
    {
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOfAny(['{', '}'], i);
            var literal = template.AsSpan(i, (open < 0 ? template.Length : open) - i);
            if (Literal(literal) is { } wrong) return wrong;
            output?.Append(literal);
            if (open < 0) break;
            if (template[open] == '}') return $"A '}}' at position {open + 1} has no opening '{{'. Tokens: {Tokens}.";
            var close = template.IndexOf('}', open + 1);
            if (close < 0) return $"A '{{' at position {open + 1} has no closing '}}'. Tokens: {Tokens}.";
            var error = Token(template[(open + 1)..close], output, values);
            if (error is not null) return error;
            i = close + 1;
        }
        return null;
    }

    private static string? Token(string token, StringBuilder? output, FileNameValues values)
    {
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        var name = (colon < 0 ? token : token[..colon]).Trim();
        var format = colon < 0 ? null : token[(colon + 1)..];
        if (format is not null && !name.Equals("date", StringComparison.OrdinalIgnoreCase))
            return $"Only {{date}} takes a format; write {{{name}}}.";
        switch (name.ToLowerInvariant())
        {
            case "date":
                if (string.IsNullOrEmpty(format)) format = DefaultDateFormat;
                string text;
                try
                {
                    text = values.Date.UtcDateTime.ToString(format, CultureInfo.InvariantCulture);
                }
                catch (FormatException)
                {
                    return $"'{format}' is not a date format; use e.g. yyyyMMdd or yyyy-MM-dd_HHmmss.";
                }
                output?.Append(Sanitize(text));
                return null;
            case "source":
                var source = values.Source is null ? "" : Path.GetFileNameWithoutExtension(values.Source.Replace('\\', '/'));
                output?.Append(Sanitize(source.Length == 0 ? NoSource : source));
                return null;
            case "run":
                output?.Append(Sanitize(values.RunId ?? ""));
                return null;
            case "node":
                output?.Append(Sanitize(values.NodeId ?? ""));
                return null;
            default:
                return $"Unknown token {{{token}}}. Tokens: {Tokens}.";
        }
    }

    private static string? Literal(ReadOnlySpan<char> text)
    {
        var i = text.IndexOfAny(Invalid);
        if (i < 0) return null;
        return text[i] is '/' or '\\'
            ? "Give a file name, not a path: remove '/' and '\\'."
            : $"A file name cannot contain '{Printable(text[i])}' (Windows does not allow it). Remove it or use '_'.";
    }

    private static string Printable(char c) => c < ' ' ? $"\\u{(int)c:X4}" : c.ToString();
}
