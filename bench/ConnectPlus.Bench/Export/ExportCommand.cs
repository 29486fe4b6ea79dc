using System.Globalization;
using ConnectPlus.Bench.Cli;
using ConnectPlus.Bench.Workload;

namespace ConnectPlus.Bench.Export;

/// <summary>The <c>export</c> verb: options in, a generated export and its numbers out.</summary>
internal static class ExportCommand
{
    public const string Usage =
        "export --members N --out DIR [--seed S] [--zip true|false] [--orphan-share 0] [--manifest FILE]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, CancellationToken ct)
    {
        var arguments = Arguments.Parse(args, "members", "out", "seed", "zip", "orphan-share", "manifest");
        var options = new ExportOptions
        {
            Members = arguments.Number("members", fallback: null, min: 0, max: MemberIdentity.MaxMembers),
            OutputFolder = Path.GetFullPath(arguments.Text("out")),
            Seed = arguments.Seed(),
            Zip = arguments.Flag("zip", fallback: true),
            OrphanShare = arguments.Decimal("orphan-share", fallback: 0, min: 0, max: 0.5),
        };
        var manifest = arguments.OptionalText("manifest");

        var result = ExportGenerator.Generate(options, ct);

        Print(options, result, output);
        if (manifest is not null)
        {
            Report.WriteKeyValues(manifest, Manifest(options, result));
        }

        return 0;
    }

    private static void Print(ExportOptions options, ExportResult result, TextWriter output)
    {
        output.WriteLine($"export: {Report.Count(options.Members)} members, seed {options.Seed} -> {options.OutputFolder}");
        foreach (var file in result.Files)
        {
            output.WriteLine($"  {file.Name,-64} {Report.Count(file.Rows),12} rows {Report.Megabytes(file.Bytes),11}");
        }

        output.WriteLine($"  CSVs together {Report.Megabytes(result.CsvBytes)}");
        if (result.ZipPath is not null)
        {
            output.WriteLine($"  zip {Path.GetFileName(result.ZipPath)} {Report.Megabytes(result.ZipBytes)}");
        }

        var seconds = Math.Max(result.Elapsed.TotalSeconds, 1e-9);
        output.WriteLine(
            $"  generated in {Report.Seconds(result.Elapsed)}: {Report.Rate(options.Members / seconds)} members/s, " +
            $"{Report.Megabytes((long)(result.CsvBytes / seconds))}/s of CSV");
    }

    private static IEnumerable<(string, object)> Manifest(ExportOptions options, ExportResult result)
    {
        yield return ("members", options.Members);
        yield return ("seed", options.Seed);
        yield return ("orphan_share", options.OrphanShare);
        yield return ("zip", options.Zip ? "true" : "false");
        yield return ("zip_file", result.ZipPath is null ? "" : Path.GetFileName(result.ZipPath));
        yield return ("zip_bytes", result.ZipBytes);
        yield return ("csv_bytes", result.CsvBytes);
        foreach (var file in result.Files)
        {
            yield return ("csv_file", file.Name);
        }

        yield return ("rows_total", result.Files.Sum(f => f.Rows));
        yield return ("seconds", result.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture));
    }
}
