using ConnectPlus.Bench.Measure;

namespace ConnectPlus.Tests.Bench;

public sealed class ProcessMeterTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task RunAsync_ReportsTheCommandsExitCode()
    {
        var result = await ProcessMeter.RunAsync(["/bin/sh", "-c", "exit 3"], timeout: null, Interval, CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.False(result.TimedOut);
    }

    [Fact]
    public async Task RunAsync_ReportsThePeakMemory_OfACommandThatHoldsSixtyMegabytes()
    {
        // The shell keeps the 60 MB it reads in a variable, then idles a second: sampling must see it,
        // as getrusage's exact figure is not used when the test host itself is bigger.
        const string script = "x=$(head -c 60000000 /dev/zero | tr '\\0' a); sleep 1; exit 0";

        var result = await ProcessMeter.RunAsync(["/bin/sh", "-c", script], timeout: null, Interval, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.InRange(result.PeakRssBytes, 55_000_000, 1_000_000_000);
        Assert.True(result.Wall >= TimeSpan.FromSeconds(1));
        Assert.NotNull(result.Cpu);
    }

    [Fact]
    public async Task RunAsync_KillsTheCommand_AfterTheTimeout()
    {
        var result = await ProcessMeter.RunAsync(["/bin/sleep", "30"], TimeSpan.FromMilliseconds(300), Interval, CancellationToken.None);

        Assert.True(result.TimedOut);
        Assert.True(result.Wall < TimeSpan.FromSeconds(10));
    }
}
