using System.Globalization;

namespace ConnectPlus.Bench.Cli;

/// <summary>How the verbs print numbers: sizes in MB of 2^20 bytes (as ls -h and /proc count), invariant digits.</summary>
internal static class Report
{
    public static string Megabytes(long bytes) => (bytes / 1_048_576.0).ToString("N1", CultureInfo.InvariantCulture) + " MB";

    public static string Count(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) + " s";

    public static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Writes <c>key=value</c> lines for scripts (bench/run.sh reads them).</summary>
    public static void WriteKeyValues(string path, IEnumerable<(string Key, object Value)> values)
    {
        var lines = values.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key}={v.Value}"));
        File.WriteAllLines(path, lines);
    }
}
