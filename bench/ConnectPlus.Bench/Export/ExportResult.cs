namespace ConnectPlus.Bench.Export;

/// <summary>One CSV of a generated export: its name, data rows (header not counted) and size in bytes.</summary>
internal sealed record ExportFile(string Name, long Rows, long Bytes);

/// <summary>What the generator wrote, and how long it took.</summary>
internal sealed record ExportResult(IReadOnlyList<ExportFile> Files, string? ZipPath, long ZipBytes, TimeSpan Elapsed)
{
    public long CsvBytes => Files.Sum(f => f.Bytes);
}
