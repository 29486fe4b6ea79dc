using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>Settings of the Read CSV block.</summary>
public sealed class ReadCsvSettings : IValidatableObject
{
    /// <summary>
    /// Only files whose name matches this regular expression are read (case is ignored; the name is
    /// matched without its folder); other files are passed over. Empty: every file is read. Lets
    /// several Read CSV blocks share one Unzip output, e.g. ^members.*\.csv$ and ^bills.*\.csv$.
    /// </summary>
    [Setting(Order = 1, Group = "Files", Editor = EditorHint.Regex, Placeholder = @"^members.*\.csv$")]
    public string? FileNamePattern { get; set; }

    /// <summary>
    /// The character between fields: one character such as , ; or |, or \t (or tab) for
    /// tab-separated files.
    /// </summary>
    [Setting(Order = 2, Group = "Format", Placeholder = ",")]
    public string Delimiter { get; set; } = ",";

    /// <summary>
    /// The character that encloses a field holding the delimiter, a quote or a line break; a quote
    /// inside such a field is written twice (""). Not used when Escape is set.
    /// </summary>
    [Setting(Order = 3, Group = "Format", Placeholder = "\"")]
    public string Quote { get; set; } = "\"";

    /// <summary>
    /// Leave empty for standard CSV. Set it (usually \) for files that escape instead of quoting:
    /// the escape character makes the character after it plain text (\, is a comma inside a value,
    /// \\ is a backslash, an escaped line break stays in the value). Quotes are then ordinary text.
    /// </summary>
    [Setting(Order = 4, Group = "Format", Placeholder = "\\")]
    public string? Escape { get; set; }

    /// <summary>
    /// How the file's bytes become text. auto: a byte order mark decides; without one, UTF-8 when the
    /// start of the file is valid UTF-8, windows-1252 otherwise. A byte order mark always wins over
    /// the choice made here and is never part of the data.
    /// </summary>
    [Setting(Order = 5, Group = "Format")]
    public CsvReadEncoding Encoding { get; set; } = CsvReadEncoding.Auto;

    /// <summary>Whether the first line holds the column names. Off: every line is data.</summary>
    [Setting(Order = 6, Group = "Columns")]
    public bool HasHeaderRow { get; set; } = true;

    /// <summary>
    /// Column names, in file order. Used when the file has no header row, or to replace the names of
    /// its header row (the file must then have as many columns as names are given). Empty: names
    /// come from the header row, or are column1, column2, … without one.
    /// </summary>
    [Setting(Order = 7, Group = "Columns", Editor = EditorHint.ColumnList, Placeholder = "member_id")]
    public List<string> ManualHeaders { get; set; } = [];

    /// <summary>Remove spaces and tabs around values (and header names). Spaces inside quotes are kept.</summary>
    [Setting(Order = 8, Group = "Format")]
    public bool TrimWhitespace { get; set; }

    /// <summary>Pass over empty lines. Off: an empty line is a row whose values are all empty.</summary>
    [Setting(Order = 9, Group = "Format")]
    public bool SkipBlankLines { get; set; } = true;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(FileNamePattern) && PatternError(FileNamePattern) is { } patternError)
            yield return new ValidationResult($"The file name pattern is not a valid regular expression: {patternError}", [nameof(FileNamePattern)]);
        if (!CsvFormat.TryDelimiter(Delimiter, out var delimiter))
            yield return new ValidationResult(CsvFormat.DelimiterHelp, [nameof(Delimiter)]);
        if (string.IsNullOrEmpty(Escape))
        {
            if (!CsvFormat.TryChar(Quote, out var quote))
                yield return new ValidationResult("Give one quote character, usually \".", [nameof(Quote)]);
            else if (quote == delimiter)
                yield return new ValidationResult("The quote must differ from the delimiter.", [nameof(Quote)]);
        }
        else if (!CsvFormat.TryChar(Escape, out var escape) || escape is ' ' or '\t')
            yield return new ValidationResult("Give one escape character such as \\ (not a space or tab), or leave Escape empty for standard CSV.", [nameof(Escape)]);
        else if (escape == delimiter)
            yield return new ValidationResult("The escape character must differ from the delimiter.", [nameof(Escape)]);
        foreach (var problem in HeaderProblems())
            yield return new ValidationResult(problem, [nameof(ManualHeaders)]);
    }

    /// <summary>The file name pattern as a regex, or null when every file is read.</summary>
    internal Regex? FileNameRegex() => string.IsNullOrEmpty(FileNamePattern)
        ? null
        : new Regex(FileNamePattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private IEnumerable<string> HeaderProblems()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ManualHeaders.Count; i++)
        {
            var name = ManualHeaders[i];
            if (string.IsNullOrWhiteSpace(name))
                yield return $"Column {i + 1} of Manual headers has no name. Give every column a name.";
            else if (!seen.Add(name))
                yield return $"'{name}' is given twice in Manual headers. Give each column a different name.";
        }
    }

    private static string? PatternError(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }
}

/// <summary>How the bytes of a CSV file become text.</summary>
public enum CsvReadEncoding
{
    /// <summary>Byte order mark; otherwise UTF-8 when the start of the file is valid UTF-8, else windows-1252.</summary>
    Auto,

    /// <summary>UTF-8 (the file must be valid UTF-8).</summary>
    Utf8,

    /// <summary>UTF-16 little endian (big endian when the byte order mark says so).</summary>
    Utf16,

    /// <summary>ISO-8859-1 (Latin-1).</summary>
    Latin1,

    /// <summary>Windows-1252 (Western European, Excel's usual choice).</summary>
    Windows1252,
}
