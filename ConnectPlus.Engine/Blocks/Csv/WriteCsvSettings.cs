using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;
using Template = ConnectPlus.Engine.Blocks.Files.FileNameTemplate;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>Settings of the Write CSV block.</summary>
public sealed class WriteCsvSettings : IValidatableObject
{
    /// <summary>
    /// Name of the file written. Tokens: {date:FORMAT} is when the run started, in UTC (e.g.
    /// {date:yyyyMMdd-HHmm}); {source} is the name, without extension, of the file the first row came
    /// from ("output" when no row arrives); {run} is the run id; {node} is this block's id.
    /// </summary>
    // The message is a format string: braces are doubled.
    [Required(ErrorMessage = "Give a file name, e.g. output_{{date:yyyyMMdd}}.csv.")]
    [Setting(Order = 1, Group = "File", Placeholder = "output_{date:yyyyMMdd}.csv")]
    public string FileNameTemplate { get; set; } = "output_{date:yyyyMMdd}.csv";

    /// <summary>
    /// Put the CSV in a zip archive: the file sent on is name.zip (the name above without its
    /// extension) holding the CSV. Compressed for speed (the fastest deflate level).
    /// </summary>
    [Setting(Order = 2, Group = "File")]
    public bool Zip { get; set; }

    /// <summary>
    /// What to do when no row arrives (a scheduled run that found no new file, an API sink that
    /// delivered nothing): write sends a file on all the same (the header row alone; empty when Columns is
    /// not set); skip writes no file and sends nothing on, so the destination gets no empty file.
    /// </summary>
    [Setting(Order = 9, Group = "File")]
    public WriteCsvWhenNoRows WhenNoRows { get; set; } = WriteCsvWhenNoRows.Write;

    /// <summary>The character between fields: one character such as , ; or |, or \t (or tab) for tab-separated files.</summary>
    [Setting(Order = 3, Group = "Format", Placeholder = ",")]
    public string Delimiter { get; set; } = ",";

    /// <summary>
    /// When values are put in double quotes. asNeeded: only values holding the delimiter, a quote or a
    /// line break (standard CSV). always: every value. never: no value; a row with a value holding the
    /// delimiter or a line break cannot be written and is rejected.
    /// </summary>
    [Setting(Order = 4, Group = "Format")]
    public WriteCsvQuoting Quoting { get; set; } = WriteCsvQuoting.AsNeeded;

    /// <summary>
    /// How the text becomes bytes. utf8 (no byte order mark), utf8Bom (with one; Excel then opens
    /// accents correctly), utf16 (little endian, with a byte order mark), latin1 or windows1252. A row
    /// holding a character latin1 or windows1252 cannot hold is rejected.
    /// </summary>
    [Setting(Order = 5, Group = "Format")]
    public CsvWriteEncoding Encoding { get; set; } = CsvWriteEncoding.Utf8;

    /// <summary>What ends each line: crlf (Windows, the CSV standard) or lf (Unix).</summary>
    [Setting(Order = 6, Group = "Format")]
    public CsvLineEnding LineEnding { get; set; } = CsvLineEnding.Crlf;

    /// <summary>Start the file with a line of column names.</summary>
    [Setting(Order = 7, Group = "Columns")]
    public bool Header { get; set; } = true;

    /// <summary>
    /// The columns of the file, in order: each a name for the header and the input column that fills
    /// it (empty: the input column of that name). Empty: every input column, in input order; the
    /// input columns must then stay the same for the whole run.
    /// </summary>
    [Setting(Order = 8, Group = "Columns", Editor = EditorHint.ColumnMapping)]
    public List<CsvOutputColumn> Columns { get; set; } = [];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Template.Check(FileNameTemplate) is { } templateError)
            yield return new ValidationResult(templateError, [nameof(FileNameTemplate)]);
        if (!CsvFormat.TryDelimiter(Delimiter, out var delimiter))
            yield return new ValidationResult(CsvFormat.DelimiterHelp, [nameof(Delimiter)]);
        else if (delimiter == '"')
            yield return new ValidationResult("The delimiter cannot be the quote character (\").", [nameof(Delimiter)]);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Columns.Count; i++)
        {
            var name = Columns[i]?.Name;
            if (string.IsNullOrWhiteSpace(name))
                yield return new ValidationResult($"Column {i + 1} has no name. Give every column a header name.", [nameof(Columns)]);
            else if (!seen.Add(name))
                yield return new ValidationResult($"'{name}' is given twice. Give each column a different name.", [nameof(Columns)]);
        }
    }
}

/// <summary>One column of the CSV file written.</summary>
public sealed class CsvOutputColumn
{
    /// <summary>The column's name in the header row.</summary>
    public string Name { get; set; } = "";

    /// <summary>The input column whose values fill it; empty: the input column named like the header.</summary>
    public string? Column { get; set; }
}

/// <summary>When Write CSV puts values in quotes.</summary>
public enum WriteCsvQuoting
{
    /// <summary>Only values holding the delimiter, a quote or a line break.</summary>
    AsNeeded,

    /// <summary>Every value.</summary>
    Always,

    /// <summary>No value (rows that need quotes are rejected).</summary>
    Never,
}

/// <summary>How Write CSV turns text into bytes.</summary>
public enum CsvWriteEncoding
{
    /// <summary>UTF-8 without a byte order mark.</summary>
    Utf8,

    /// <summary>UTF-8 with a byte order mark.</summary>
    Utf8Bom,

    /// <summary>UTF-16 little endian with a byte order mark.</summary>
    Utf16,

    /// <summary>ISO-8859-1 (Latin-1).</summary>
    Latin1,

    /// <summary>Windows-1252 (Western European).</summary>
    Windows1252,
}

/// <summary>What Write CSV does when no row arrives.</summary>
public enum WriteCsvWhenNoRows
{
    /// <summary>Send a file on all the same: the header row alone.</summary>
    Write,

    /// <summary>Write no file and send nothing on.</summary>
    Skip,
}

/// <summary>What ends each line of a CSV file written.</summary>
public enum CsvLineEnding
{
    /// <summary>CR LF (Windows; RFC 4180).</summary>
    Crlf,

    /// <summary>LF (Unix).</summary>
    Lf,
}
