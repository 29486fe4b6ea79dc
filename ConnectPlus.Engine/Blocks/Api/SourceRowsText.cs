using System.Buffers;
using System.Globalization;
using System.Text;
using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Writes and reads <see cref="PayloadRecord.SourceRows"/> text straight in UTF-16: the JSON array of
/// objects column → value (plus <c>_source_file</c>, <c>_source_line</c>) that carries an item's input
/// rows from the Build API payload block to an API sink. Every item makes one on the way in and
/// reads one back when its result is reported, so both ends avoid a JSON writer, a reader and two
/// UTF-8 round trips per value.
/// </summary>
/// <remarks>
/// The text written is plain JSON (any JSON reader reads it the same): names and values escape only
/// what JSON requires (<c>"</c>, <c>\</c>, control characters); other characters are kept as they are.
/// The reader is strict about the shape this writer makes and gives up (returns false) on anything
/// else — whitespace, escaped names, other columns — leaving that text to a general JSON reader.
/// </remarks>
internal static class SourceRowsText
{
    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    private static readonly SearchValues<char> QuoteOrBackslash = SearchValues.Create("\"\\");

    [ThreadStatic]
    private static Writer? t_writer;

    /// <summary>The source rows text of <paramref name="rows"/> (all of <paramref name="schema"/>).</summary>
    public static string Write(RecordSchema schema, IReadOnlyList<Record> rows)
    {
        var writer = t_writer ??= new Writer();
        return writer.Write(schema, rows);
    }

    /// <summary>Writes <paramref name="text"/> as a JSON string, quotes included.</summary>
    internal static void AppendString(StringBuilder output, ReadOnlySpan<char> text)
    {
        output.Append('"');
        while (true)
        {
            var at = text.IndexOfAny(NeedsEscape);
            if (at < 0)
            {
                output.Append(text);
                break;
            }
            output.Append(text[..at]);
            var c = text[at];
            _ = c switch
            {
                '"' => output.Append("\\\""),
                '\\' => output.Append("\\\\"),
                '\n' => output.Append("\\n"),
                '\r' => output.Append("\\r"),
                '\t' => output.Append("\\t"),
                _ => output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
            };
            text = text[(at + 1)..];
        }
        output.Append('"');
    }

    /// <summary>Per thread: the builder and, for the last schema seen, each column's <c>"name":</c> text.</summary>
    private sealed class Writer
    {
        private readonly StringBuilder _text = new(512);
        private RecordSchema? _schema;
        private string[] _names = [];

        public string Write(RecordSchema schema, IReadOnlyList<Record> rows)
        {
            if (!ReferenceEquals(schema, _schema)) Prepare(schema);
            var text = _text.Clear();
            text.Append('[');
            for (var r = 0; r < rows.Count; r++)
            {
                var row = rows[r];
                text.Append(r == 0 ? "{" : ",{");
                for (var i = 0; i < _names.Length; i++)
                {
                    if (i > 0) text.Append(',');
                    text.Append(_names[i]);
                    if (row[i] is { } value) AppendString(text, value);
                    else text.Append("null");
                }
                if (row.Source.File is { } file)
                {
                    text.Append(_names.Length > 0 ? ",\"" : "\"").Append(PayloadRecord.SourceFileField).Append("\":");
                    AppendString(text, file);
                }
                if (row.Source.Line > 0)
                {
                    text.Append(_names.Length > 0 || row.Source.File is not null ? ",\"" : "\"").Append(PayloadRecord.SourceLineField).Append("\":");
                    text.Append(row.Source.Line);
                }
                text.Append('}');
            }
            text.Append(']');
            var result = text.ToString();
            // A huge item must not pin its buffer for the rest of the thread's life.
            if (text.Capacity > 1 << 16) text.Capacity = 512;
            return result;
        }

        private void Prepare(RecordSchema schema)
        {
            var name = new StringBuilder();
            _names = new string[schema.Count];
            for (var i = 0; i < schema.Count; i++)
            {
                AppendString(name.Clear(), schema.Columns[i]);
                _names[i] = name.Append(':').ToString();
            }
            _schema = schema;
        }
    }

    /// <summary>
    /// Reads source rows text whose objects name <paramref name="columns"/>, in that order (with
    /// <c>_source_file</c> and <c>_source_line</c> anywhere among them). False when the text is not
    /// exactly that shape; <paramref name="rows"/> is then incomplete and must not be used.
    /// </summary>
    public static bool TryRead(string text, string[] columns, List<Record> rows)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(rows);
        var s = text.AsSpan();
        var at = 0;
        if (!Expect(s, ref at, '[')) return false;
        if (Peek(s, at) == ']') return at + 1 == s.Length;
        while (true)
        {
            if (!ReadObject(s, ref at, columns, out var row)) return false;
            rows.Add(row);
            if (Peek(s, at) == ',')
            {
                at++;
                continue;
            }
            return Expect(s, ref at, ']') && at == s.Length;
        }
    }

    private static bool ReadObject(ReadOnlySpan<char> s, ref int at, string[] columns, out Record row)
    {
        row = default;
        if (!Expect(s, ref at, '{')) return false;
        var values = new string?[columns.Length];
        var next = 0;
        string? file = null;
        long line = 0;
        if (Peek(s, at) == '}')
        {
            at++;
            row = new Record(values, SourceRef.None);
            return columns.Length == 0;
        }
        while (true)
        {
            if (!ReadName(s, ref at, out var name) || !Expect(s, ref at, ':')) return false;
            if (next < columns.Length && name.SequenceEqual(columns[next]))
            {
                if (!ReadStringOrNull(s, ref at, out values[next])) return false;
                next++;
            }
            else if (name.SequenceEqual(PayloadRecord.SourceFileField))
            {
                if (!ReadStringOrNull(s, ref at, out file)) return false;
            }
            else if (name.SequenceEqual(PayloadRecord.SourceLineField))
            {
                if (!ReadLong(s, ref at, out line)) return false;
            }
            else
            {
                return false;
            }
            var c = Peek(s, at);
            at++;
            if (c == ',') continue;
            if (c != '}' || next != columns.Length) return false;
            row = new Record(values, new SourceRef(file, line));
            return true;
        }
    }

    /// <summary>A property name without escapes (an escaped one is left to the general reader).</summary>
    private static bool ReadName(ReadOnlySpan<char> s, ref int at, out ReadOnlySpan<char> name)
    {
        name = default;
        if (!Expect(s, ref at, '"')) return false;
        var end = s[at..].IndexOfAny(QuoteOrBackslash);
        if (end < 0 || s[at + end] != '"') return false;
        name = s.Slice(at, end);
        at += end + 1;
        return true;
    }

    private static bool ReadStringOrNull(ReadOnlySpan<char> s, ref int at, out string? value)
    {
        value = null;
        if (s[at..].StartsWith("null", StringComparison.Ordinal))
        {
            at += 4;
            return true;
        }
        if (!Expect(s, ref at, '"')) return false;
        var end = s[at..].IndexOfAny(QuoteOrBackslash);
        if (end < 0) return false;
        if (s[at + end] == '"')
        {
            value = new string(s.Slice(at, end));
            at += end + 1;
            return true;
        }
        return ReadEscaped(s, ref at, out value);
    }

    private static bool ReadEscaped(ReadOnlySpan<char> s, ref int at, out string? value)
    {
        value = null;
        var text = new StringBuilder();
        while (at < s.Length)
        {
            var end = s[at..].IndexOfAny(QuoteOrBackslash);
            if (end < 0) return false;
            text.Append(s.Slice(at, end));
            at += end;
            if (s[at] == '"')
            {
                at++;
                value = text.ToString();
                return true;
            }
            if (at + 1 >= s.Length) return false;
            var escaped = s[at + 1];
            at += 2;
            switch (escaped)
            {
                case '"' or '\\' or '/': text.Append(escaped); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'u':
                    if (at + 4 > s.Length || !ushort.TryParse(s.Slice(at, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)) return false;
                    text.Append((char)code);
                    at += 4;
                    break;
                default: return false;
            }
        }
        return false;
    }

    private static bool ReadLong(ReadOnlySpan<char> s, ref int at, out long value)
    {
        var end = at;
        while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
        var ok = long.TryParse(s[at..end], NumberStyles.None, CultureInfo.InvariantCulture, out value);
        at = end;
        return ok;
    }

    private static char Peek(ReadOnlySpan<char> s, int at) => at < s.Length ? s[at] : '\0';

    private static bool Expect(ReadOnlySpan<char> s, ref int at, char c)
    {
        if (at >= s.Length || s[at] != c) return false;
        at++;
        return true;
    }
}
