using System.Diagnostics;

namespace ConnectPlus.Bench.Measure;

/// <summary>How a measured command ran.</summary>
/// <param name="PeakRssBytes">The peak memory: the largest of the command's own high-water mark and the
/// sum over its process tree, both sampled every interval, and the exact peak of its biggest process
/// (getrusage) when that can be told apart from this process's; 0 where none is available.</param>
/// <param name="Cpu">User + system CPU time of the command and its descendants, when known.</param>
internal sealed record MeasureResult(int ExitCode, TimeSpan Wall, long PeakRssBytes, TimeSpan? Cpu, bool TimedOut);

/// <summary>Runs a command with the console's input and output, and measures its wall time and peak memory.</summary>
internal static class ProcessMeter
{
    public static async Task<MeasureResult> RunAsync(
        IReadOnlyList<string> command, TimeSpan? timeout, TimeSpan interval, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfZero(command.Count);
        // getrusage covers every child this process ever waited for: only a rise is this command's.
        var before = ResourceUsage.OfChildren();
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start '{command[0]}'.");
        var sampledPeak = 0L;
        var timedOut = false;
        try
        {
            var exited = process.WaitForExitAsync(CancellationToken.None);
            while (!exited.IsCompleted)
            {
                sampledPeak = Math.Max(sampledPeak, Math.Max(
                    ProcessTreeMemory.ResidentBytes(process.Id), ProcessTreeMemory.HighWaterMarkBytes(process.Id)));
                if (timeout is { } limit && stopwatch.Elapsed > limit)
                {
                    timedOut = true;
                    process.Kill(entireProcessTree: true);
                    break;
                }

                await Task.WhenAny(exited, Task.Delay(interval, ct)).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }

            await exited.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var wall = stopwatch.Elapsed;
        var after = ResourceUsage.OfChildren();
        // A child's ru_maxrss also counts the memory it had between fork and exec, which is this
        // process's: a figure no larger than our own peak may be that, not the command's.
        using var self = Process.GetCurrentProcess();
        var floor = Math.Max(before?.MaxRssBytes ?? 0, self.PeakWorkingSet64);
        var exactPeak = after is { } a && a.MaxRssBytes > floor ? a.MaxRssBytes : 0;
        TimeSpan? cpu = before is { } b2 && after is { } a2 ? a2.Cpu - b2.Cpu : null;
        return new MeasureResult(process.ExitCode, wall, Math.Max(exactPeak, sampledPeak), cpu, timedOut);
    }
}
