using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>
/// Reads CSV files into rows, streaming (a file is never held in memory). Each row keeps its file
/// name and line number. Values are text; an empty field is empty text. A row with bad quoting (text
/// after a closing quote, a quote never closed) or the wrong number of fields is rejected with the
/// file, line and reason, and the rest of the file is read; a quote inside a field that does not
/// start with one (12" pipe) is kept as text. Files of different columns give batches of different
/// columns. A file that is not text, or not in the encoding chosen, stops the run.
/// </summary>
[Block("read-csv", 1, "Read CSV", BlockCategory.Parse, Icon = "table_view")]
[Input("files", PortKind.Files, Description = "CSV files (files whose name does not match File name pattern are passed over).")]
[Output("records", PortKind.Records, Description = "One row per CSV record, with the columns of its file's header.")]
[Output("rejected", PortKind.Records, Rejected = true, Description = "Rows with bad quoting or the wrong number of fields, with the reason.")]
public sealed class ReadCsvBlock : Block<ReadCsvSettings>
{
    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var pattern = Settings.FileNameRegex();
        RecordSchema? schema = null;
        int arrived = 0, read = 0;
        await foreach (var file in context.ReadFilesAsync("files", cancellationToken).ConfigureAwait(false))
        {
            arrived++;
            if (pattern is not null && !pattern.IsMatch(file.Name))
            {
                context.Log(RunLogLevel.Debug, $"{file.Name} does not match the file name pattern {Settings.FileNamePattern}; not read.");
                continue;
            }
            read++;
            schema = await new CsvFileReader(context, Settings, file).ReadAsync(schema, cancellationToken).ConfigureAwait(false);
        }
        if (arrived > 0 && read == 0)
            context.Log(RunLogLevel.Warning, $"None of the {arrived} files that arrived matches the file name pattern {Settings.FileNamePattern}; nothing was read.");
    }
}
