using System.Diagnostics;
using ConnectPlus.Bench.Workload;
using CsvHelper;

namespace ConnectPlus.Bench.Export;

/// <summary>
/// Writes a synthetic Capillary Data Export: Members, Slab Change Log and Profiles sharing
/// <c>user_id</c>, as one zip (the default) or three CSVs. Rows are streamed to disk as they are made;
/// files appear under their final names only when complete.
/// </summary>
internal static class ExportGenerator
{
    private static readonly CsvWriterOptions CsvOptions = CsvWriterOptions.Default with { NewLine = "\n", BufferSize = 1 << 20 };

    public static ExportResult Generate(ExportOptions options, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Members);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Members, MemberIdentity.MaxMembers);
        Directory.CreateDirectory(options.OutputFolder);
        var timeline = new ExportTimeline(options.ExportTime);
        ExportTable[] tables =
        [
            new MembersTable(options, timeline),
            new SlabChangeLogTable(options, timeline),
            new ProfilesTable(options, timeline),
        ];
        var stopwatch = Stopwatch.StartNew();
        return options.Zip
            ? WriteZip(options, tables, stopwatch, ct)
            : WriteCsvs(options, tables, stopwatch, ct);
    }

    private static ExportResult WriteCsvs(ExportOptions options, ExportTable[] tables, Stopwatch stopwatch, CancellationToken ct)
    {
        var files = new ExportFile[tables.Length];
        // Each file is independent of the others: write them side by side.
        Parallel.For(0, tables.Length, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var name = ExportFileNames.Csv(tables[i].Template, options.ExportTime, i);
            var path = Path.Combine(options.OutputFolder, name);
            var rows = WriteAtomically(path, stream => WriteTable(tables[i], stream, ct));
            files[i] = new ExportFile(name, rows, new FileInfo(path).Length);
        });
        return new ExportResult(files, ZipPath: null, ZipBytes: 0, stopwatch.Elapsed);
    }

    private static ExportResult WriteZip(ExportOptions options, ExportTable[] tables, Stopwatch stopwatch, CancellationToken ct)
    {
        var zipPath = Path.Combine(options.OutputFolder, ExportFileNames.Zip(options.ExportTime));
        var files = new List<ExportFile>();
        WriteAtomically(zipPath, stream =>
        {
            using var zip = new ParallelZipWriter(stream, options.ExportTime, Environment.ProcessorCount);
            for (var i = 0; i < tables.Length; i++)
            {
                var name = ExportFileNames.Csv(tables[i].Template, options.ExportTime, i);
                using var entry = zip.CreateEntry(name);
                var rows = WriteTable(tables[i], entry, ct);
                files.Add(new ExportFile(name, rows, entry.Length));
            }

            zip.Finish();
            return 0L;
        });
        return new ExportResult(files, zipPath, new FileInfo(zipPath).Length, stopwatch.Elapsed);
    }

    private static long WriteTable(ExportTable table, Stream destination, CancellationToken ct)
    {
        using var csv = CsvWriter.Create(destination, CsvOptions, leaveOpen: true);
        var rows = table.Write(csv, ct);
        csv.Flush();
        return rows;
    }

    /// <summary>Writes under a temporary name and renames when done, so no reader sees half a file.</summary>
    private static long WriteAtomically(string path, Func<Stream, long> write)
    {
        var temporary = path + ".partial";
        try
        {
            long result;
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                result = write(stream);
            }

            File.Move(temporary, path, overwrite: true);
            return result;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
