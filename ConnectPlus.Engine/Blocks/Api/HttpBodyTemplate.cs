using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// A JSON body with <c>{{column}}</c> placeholders. A placeholder inside a JSON string takes the value
/// escaped as string content; outside a string it takes the value as it is (a number, true, false,
/// or JSON), an empty value giving <c>null</c>. The filled body must be valid JSON, or the row is rejected.
/// </summary>
internal sealed class HttpBodyTemplate
{
    private readonly List<Part> _parts;

    private HttpBodyTemplate(List<Part> parts) => _parts = parts;

    /// <summary>One piece of the template: literal UTF-8, or a placeholder (column name, inside a string or not).</summary>
    private sealed record Part(byte[]? Literal, string? Column, bool InString);

    /// <summary>Null when the template is well-formed (placeholders closed, valid JSON once filled); otherwise what is wrong.</summary>
    public static string? Check(string template)
    {
        if (Parse(template, out var error) is not { } parsed) return error;
        var sample = parsed.Fill(parsed._parts.Select(p => p.InString ? "" : "0").ToArray());
        return PayloadColumnReader.Check(sample, objectOnly: false) is { } problem
            ? $"With its placeholders filled, the template is not valid JSON ({problem}). Put {{{{column}}}} inside quotes for text, bare for numbers."
            : null;
    }

    /// <summary>The template's placeholders bound to a schema's columns; throws <see cref="BlockException"/> naming a missing column.</summary>
    public static Func<Record, ItemRead> Bind(string template, RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var parsed = Parse(template, out var error) ?? throw new BlockException(error!) { Setting = "bodyTemplate" };
        var indexes = parsed._parts.Select(p => p.Column is null ? -1 : schema.IndexOfIgnoreCase(p.Column)).ToArray();
        for (var i = 0; i < indexes.Length; i++)
        {
            if (parsed._parts[i].Column is { } column && indexes[i] < 0)
                throw new BlockException($"The body template uses {{{{{column}}}}}, and the input has no such column (its columns: {schema}). Fix the template or the input.") { Setting = "bodyTemplate" };
        }
        var values = new string?[indexes.Length];
        return row =>
        {
            for (var i = 0; i < indexes.Length; i++) values[i] = indexes[i] < 0 ? null : row[indexes[i]];
            var json = parsed.Fill(values);
            return PayloadColumnReader.Check(json, objectOnly: false) is { } problem
                ? ItemRead.Problem("BODY_INVALID", $"The body template filled with this row is not valid JSON ({problem}). A value put outside quotes must be a number, true, false or null.")
                : new ItemRead(json);
        };
    }

    private byte[] Fill(string?[] values)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        for (var i = 0; i < _parts.Count; i++)
        {
            var part = _parts[i];
            if (part.Literal is not null)
            {
                buffer.Write(part.Literal);
                continue;
            }
            var value = values[i];
            if (part.InString)
            {
                if (!string.IsNullOrEmpty(value)) buffer.Write(JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes);
            }
            else
            {
                buffer.Write(string.IsNullOrWhiteSpace(value) ? "null"u8 : Encoding.UTF8.GetBytes(value.Trim()));
            }
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static HttpBodyTemplate? Parse(string template, out string? error)
    {
        error = null;
        var parts = new List<Part>();
        var literal = new StringBuilder();
        var inString = false;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                var end = template.IndexOf("}}", i + 2, StringComparison.Ordinal);
                var name = end < 0 ? "" : template[(i + 2)..end].Trim();
                if (end < 0 || name.Length == 0 || name.IndexOfAny(['{', '}', '"']) >= 0)
                {
                    error = $"The placeholder at character {i + 1} is not closed or has no column name: write {{{{column}}}}.";
                    return null;
                }
                if (literal.Length > 0) parts.Add(new Part(Encoding.UTF8.GetBytes(literal.ToString()), null, false));
                literal.Clear();
                parts.Add(new Part(null, name, inString));
                i = end + 1;
                continue;
            }
            literal.Append(c);
            if (c == '\\' && inString && i + 1 < template.Length)
            {
                literal.Append(template[++i]);
                continue;
            }
            if (c == '"') inString = !inString;
        }
        if (literal.Length > 0) parts.Add(new Part(Encoding.UTF8.GetBytes(literal.ToString()), null, false));
        return new HttpBodyTemplate(parts);
    }
}
