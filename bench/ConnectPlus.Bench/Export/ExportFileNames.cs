using System.Globalization;

namespace ConnectPlus.Bench.Export;

/// <summary>
/// File names as Capillary's Data Export writes them: <c>&lt;schedule&gt;_&lt;template&gt;_&lt;time&gt;_&lt;millis&gt;.csv</c>,
/// the three of one run zipped as <c>&lt;schedule&gt;_&lt;time&gt;.zip</c>.
/// </summary>
internal static class ExportFileNames
{
    public const string Schedule = "DailyExport";

    public static string Csv(string template, DateTime exportTime, int fileNumber)
    {
        // Each file of a run is stamped a moment after the one before, as the exporter writes them in turn.
        var millis = new DateTimeOffset(exportTime, TimeSpan.Zero).ToUnixTimeMilliseconds() + 213 + (fileNumber * 1_507L);
        return string.Create(CultureInfo.InvariantCulture, $"{Schedule}_{template}_{Stamp(exportTime)}_{millis}.csv");
    }

    public static string Zip(DateTime exportTime) => $"{Schedule}_{Stamp(exportTime)}.zip";

    private static string Stamp(DateTime time) => time.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture);
}
