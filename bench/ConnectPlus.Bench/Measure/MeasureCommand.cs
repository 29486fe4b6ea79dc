using System.Globalization;
using ConnectPlus.Bench.Cli;

namespace ConnectPlus.Bench.Measure;

/// <summary>The <c>measure</c> verb: runs a command, prints its wall time, CPU time and peak memory, exits with its code.</summary>
internal static class MeasureCommand
{
    public const string Usage =
        "measure [--report FILE] [--timeout SECONDS] [--interval-ms 50] -- COMMAND [ARGS...]";

    /// <summary>The exit code when the command ran past --timeout and was killed (as coreutils timeout).</summary>
    public const int TimedOutExitCode = 124;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter error, CancellationToken ct)
    {
        var arguments = Arguments.Parse(args, "report", "timeout", "interval-ms");
        if (arguments.Rest.Count == 0)
        {
            throw new UsageException("Give the command to measure after --, for example: measure -- ./ConnectPlus.Web run --flow flow.json");
        }

        var timeoutSeconds = arguments.Number("timeout", fallback: 0, min: 0, max: 7 * 24 * 3600);
        var interval = TimeSpan.FromMilliseconds(arguments.Number("interval-ms", fallback: 50, min: 1, max: 60_000));
        var report = arguments.OptionalText("report");

        MeasureResult result;
        try
        {
            result = await ProcessMeter.RunAsync(
                arguments.Rest, timeoutSeconds == 0 ? null : TimeSpan.FromSeconds(timeoutSeconds), interval, ct).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new UsageException($"Cannot run '{arguments.Rest[0]}': {e.Message}. Give a path to an executable.", e);
        }

        var exitCode = result.TimedOut ? TimedOutExitCode : result.ExitCode;
        var cpu = result.Cpu is { } c ? Report.Seconds(c) : "n/a";
        var peak = result.PeakRssBytes > 0 ? Report.Megabytes(result.PeakRssBytes) : "n/a";
        error.WriteLine(
            $"measure: wall {Report.Seconds(result.Wall)}, cpu {cpu}, peak RSS {peak}, exit {exitCode}" +
            (result.TimedOut ? $" (killed after the {timeoutSeconds} s timeout)" : ""));
        if (report is not null)
        {
            Report.WriteKeyValues(report,
            [
                ("wall_seconds", result.Wall.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)),
                ("cpu_seconds", result.Cpu?.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture) ?? ""),
                ("peak_rss_mb", (result.PeakRssBytes / 1_048_576.0).ToString("F1", CultureInfo.InvariantCulture)),
                ("exit_code", exitCode),
                ("timed_out", result.TimedOut ? "true" : "false"),
            ]);
        }

        return exitCode;
    }
}
