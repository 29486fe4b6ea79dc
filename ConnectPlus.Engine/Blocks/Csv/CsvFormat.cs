using System.Text;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>The character and encoding settings that Read CSV and Write CSV share.</summary>
internal static class CsvFormat
{
    /// <summary>What a delimiter setting must be, in words.</summary>
    public const string DelimiterHelp = "Give one character, such as , ; or |, or \\t (or tab) for tab-separated files.";

    /// <summary>Windows-1252 (Western European), which .NET provides through the code pages provider.</summary>
    public static Encoding Windows1252 { get; } = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    /// <summary>Reads a delimiter setting: one ASCII character, or <c>\t</c> / <c>tab</c> for tab.</summary>
    public static bool TryDelimiter(string? text, out char delimiter)
    {
        if (text is @"\t" || string.Equals(text, "tab", StringComparison.OrdinalIgnoreCase))
        {
            delimiter = '\t';
            return true;
        }
        return TryChar(text, out delimiter);
    }

    /// <summary>Reads a one-character setting: an ASCII character other than CR, LF and NUL.</summary>
    public static bool TryChar(string? text, out char value)
    {
        value = '\0';
        if (text is not { Length: 1 } || text[0] > '\x7F' || text[0] is '\r' or '\n' or '\0') return false;
        value = text[0];
        return true;
    }

    /// <summary>How a character reads in a message (tab and space are invisible).</summary>
    public static string Show(char c) => c switch
    {
        '\t' => "tab",
        ' ' => "space",
        _ => $"'{c}'",
    };
}
