using System.Globalization;
using System.Text;
using ConnectPlus.Engine.Blocks.Files;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using CsvHelper;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>
/// Writes the rows it receives to one CSV file (optionally zipped), streaming, and sends the file on
/// once every row is written. When no row arrives it still writes a file: the header row alone
/// (empty when Columns is not set, since the columns are then unknown), unless When no rows is skip:
/// then it writes and sends nothing. Rows whose values the file
/// cannot hold (Quoting never, latin1 or windows1252) are rejected.
/// </summary>
[Block("write-csv", 1, "Write CSV", BlockCategory.Outputs, Icon = "description")]
[Input("records", PortKind.Records, Description = "The rows to write.")]
[Output("files", PortKind.Files, Description = "The CSV file (or .zip), sent when it is complete.")]
[Output("rejected", PortKind.Records, Rejected = true, Description = "Rows with a value the file cannot hold (see Quoting and Encoding).")]
public sealed class WriteCsvBlock : Block<WriteCsvSettings>
{
    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        CsvFormat.TryDelimiter(Settings.Delimiter, out var delimiter);
        var layout = new CsvColumnLayout(Settings.Columns);
        var check = new CsvValueCheck(Settings.Quoting, delimiter, Settings.Encoding);
        CsvOutputFile? output = null;
        long rows = 0, rejected = 0;
        try
        {
            string?[] values = [];
            await foreach (var batch in context.ReadRecordsAsync("records", cancellationToken).ConfigureAwait(false))
            {
                if (batch.Count == 0) continue;
                var first = batch.Rows[0].Source;
                var map = layout.For(batch.Schema, first);
                output ??= await OpenAsync(context, first.File, layout.Header!, check, delimiter, cancellationToken).ConfigureAwait(false);
                if (values.Length != map.Length) values = new string?[map.Length];
                foreach (var row in batch.Rows)
                {
                    if (check.IsNeeded)
                    {
                        for (var i = 0; i < map.Length; i++) values[i] = row[map[i]];
                        if (check.Find(values, layout.Header!) is var (code, message))
                        {
                            rejected++;
                            await context.RejectAsync(batch.Schema, row, code, row.Source.File is null ? message : $"{row.Source}: {message}", cancellationToken).ConfigureAwait(false);
                            continue;
                        }
                    }
                    rows++;
                    await output.WriteRowAsync(row.Values, map, cancellationToken).ConfigureAwait(false);
                }
            }
            if (output is null && Settings.WhenNoRows == WriteCsvWhenNoRows.Skip)
            {
                context.Log(RunLogLevel.Info, "No rows arrived: no file written (When no rows: skip).");
                return;
            }
            output ??= await OpenEmptyAsync(context, layout.Header, check, delimiter, cancellationToken).ConfigureAwait(false);
            var file = await output.CompleteAsync().ConfigureAwait(false);
            var skipped = rejected > 0 ? $", {rejected} rejected" : "";
            context.Log(RunLogLevel.Info, $"{file.Name}: {rows.ToString("N0", CultureInfo.InvariantCulture)} rows written{skipped} ({file.Size.GetValueOrDefault().ToString("N0", CultureInfo.InvariantCulture)} bytes).");
            await context.WriteAsync("files", file, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (output is not null) await output.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task<CsvOutputFile> OpenEmptyAsync(BlockContext context, IReadOnlyList<string>? header, CsvValueCheck check, char delimiter, CancellationToken cancellationToken)
    {
        if (header is null && Settings.Header)
            context.Log(RunLogLevel.Warning, "No rows arrived and Columns is not set, so the columns are unknown: the file is empty, without a header row.");
        return OpenAsync(context, null, header ?? [], check, delimiter, cancellationToken);
    }

    private async Task<CsvOutputFile> OpenAsync(BlockContext context, string? source, IReadOnlyList<string> header, CsvValueCheck check, char delimiter, CancellationToken cancellationToken)
    {
        var name = FileNameTemplate.Expand(Settings.FileNameTemplate, FileNameValues.For(context, source), "fileNameTemplate");
        Directory.CreateDirectory(context.WorkFolder);
        var output = await CsvOutputFile.CreateAsync(context.WorkFolder, name, Settings.Zip, TextEncoding(), Options(delimiter), cancellationToken).ConfigureAwait(false);
        if (!Settings.Header || header.Count == 0) return output;
        if (check.IsNeeded && check.FindInHeader(header) is var (setting, problem))
        {
            await output.DisposeAsync().ConfigureAwait(false);
            throw new BlockException($"The header row cannot be written: {problem}") { Setting = setting };
        }
        output.WriteHeader(header);
        return output;
    }

    private CsvWriterOptions Options(char delimiter) => CsvWriterOptions.Default with
    {
        Separator = delimiter,
        Mode = Settings.Quoting == WriteCsvQuoting.Never ? CsvMode.NoEscape : CsvMode.Rfc4180,
        Quoting = Settings.Quoting == WriteCsvQuoting.Always ? CsvQuoting.Always : CsvQuoting.WhenNeeded,
        NewLine = Settings.LineEnding == CsvLineEnding.Lf ? "\n" : "\r\n",
        WriteByteOrderMark = Settings.Encoding == CsvWriteEncoding.Utf8Bom,
    };

    // Null: CsvWriter writes the UTF-8 bytes itself (fastest); otherwise a StreamWriter encodes.
    private Encoding? TextEncoding() => Settings.Encoding switch
    {
        CsvWriteEncoding.Utf16 => Encoding.Unicode,
        CsvWriteEncoding.Latin1 => Encoding.Latin1,
        CsvWriteEncoding.Windows1252 => CsvFormat.Windows1252,
        _ => null,
    };
}
