using System.Buffers;
using System.Globalization;
using System.Text;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>
/// Finds the values a CSV file of Write CSV's settings cannot hold: with Quoting never, a value with
/// the delimiter or a line break (it would change the fields or rows a reader sees); with a
/// single-byte encoding, a character that encoding has no byte for (it would become '?').
/// </summary>
internal sealed class CsvValueCheck
{
    private readonly SearchValues<char>? _unquotable;
    private readonly SearchValues<char>? _encodable;
    private readonly string _encodingName;

    public CsvValueCheck(WriteCsvQuoting quoting, char delimiter, CsvWriteEncoding encoding)
    {
        if (quoting == WriteCsvQuoting.Never) _unquotable = SearchValues.Create([delimiter, '\r', '\n']);
        var singleByte = encoding switch
        {
            CsvWriteEncoding.Latin1 => Encoding.Latin1,
            CsvWriteEncoding.Windows1252 => CsvFormat.Windows1252,
            _ => null,
        };
        if (singleByte is not null)
        {
            // The characters the 256 bytes stand for: exactly those that survive the round trip.
            var bytes = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
            _encodable = SearchValues.Create(singleByte.GetChars(bytes));
        }
        _encodingName = encoding == CsvWriteEncoding.Latin1 ? "latin1" : "windows1252";
    }

    /// <summary>Whether any check applies (most files need none, and skip the per-value scan).</summary>
    public bool IsNeeded => _unquotable is not null || _encodable is not null;

    /// <summary>The reject code and reason for the first value of a row that cannot be written, or null.</summary>
    public (string Code, string Message)? Find(ReadOnlySpan<string?> values, IReadOnlyList<string> header)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (Problem(values[i]) is var (code, what, advice)) return (code, $"Column '{header[i]}' holds {what}, {advice}");
        }
        return null;
    }

    /// <summary>The setting at fault and the reason when a column name cannot be written in the header row, or null.</summary>
    public (string Setting, string Message)? FindInHeader(IReadOnlyList<string> header)
    {
        foreach (var name in header)
        {
            if (Problem(name) is var (code, what, advice))
                return (code == "CSV_UNQUOTABLE" ? "quoting" : "encoding", $"The column name '{name}' holds {what}, {advice}");
        }
        return null;
    }

    private (string Code, string What, string Advice)? Problem(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (_unquotable is not null && value.AsSpan().IndexOfAny(_unquotable) is var u and >= 0)
        {
            var what = value[u] is '\r' or '\n' ? "a line break" : $"the delimiter ({CsvFormat.Show(value[u])})";
            return ("CSV_UNQUOTABLE", what, "which a file without quotes cannot hold. Set Quoting to asNeeded, or remove it with a Map block first.");
        }
        if (_encodable is not null && value.AsSpan().IndexOfAnyExcept(_encodable) is var e and >= 0)
        {
            var pair = char.IsSurrogatePair(value, e);
            var character = pair ? value.Substring(e, 2) : value[e].ToString();
            var code = pair ? char.ConvertToUtf32(value[e], value[e + 1]) : value[e];
            return ("CSV_UNENCODABLE", $"'{character}' (U+{code.ToString("X4", CultureInfo.InvariantCulture)})",
                $"which {_encodingName} cannot hold. Set Encoding to utf8 or utf16, or replace the character first.");
        }
        return null;
    }
}
