using CsvHelper;

namespace ConnectPlus.Bench.Export;

/// <summary>One CSV of an export (a Capillary export template): its columns and a way to write its rows.</summary>
internal abstract class ExportTable(string template, string[] header)
{
    /// <summary>The template name, as it appears in the file name (<c>DailyExport_Members_…</c>).</summary>
    public string Template { get; } = template;

    public IReadOnlyList<string> Header { get; } = header;

    /// <summary>Writes the header and every row; returns the number of rows (the header not counted).</summary>
    public long Write(CsvWriter csv, CancellationToken ct)
    {
        csv.WriteHeader(header);
        return WriteRows(csv, ct);
    }

    protected abstract long WriteRows(CsvWriter csv, CancellationToken ct);
}
