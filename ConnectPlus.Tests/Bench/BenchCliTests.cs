using ConnectPlus.Bench.Cli;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Bench;

public sealed class BenchCliTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public void Dispose()
    {
        _temp.Dispose();
        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public async Task Export_PrintsSizes_AndWritesTheManifest()
    {
        var exit = await Run("export", "--members", "1k", "--out", _temp["export"], "--seed", "7", "--manifest", _temp["export.manifest"]);

        Assert.Equal(0, exit);
        Assert.Contains("1,000 members, seed 7", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("zip DailyExport_2026-11-27-02-00-00.zip", _output.ToString(), StringComparison.Ordinal);
        var manifest = File.ReadAllLines(_temp["export.manifest"]);
        Assert.Contains("members=1000", manifest);
        Assert.Contains("zip_file=DailyExport_2026-11-27-02-00-00.zip", manifest);
        Assert.Contains($"zip_bytes={new FileInfo(_temp["export/DailyExport_2026-11-27-02-00-00.zip"]).Length}", manifest);
    }

    [Fact]
    public async Task Export_WritesThreeCsvs_WhenZipIsFalse()
    {
        var exit = await Run("export", "--members", "100", "--out", _temp.Path, "--zip", "false");

        Assert.Equal(0, exit);
        Assert.Equal(3, Directory.GetFiles(_temp.Path, "DailyExport_*.csv").Length);
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.zip"));
    }

    [Fact]
    public async Task Transactions_PrintsRowsAndBadBills()
    {
        var exit = await Run("transactions", "--bills", "500", "--out", _temp["tx.csv"], "--bad-share", "0.1", "--lines-per-bill", "3");

        Assert.Equal(0, exit);
        Assert.Contains("500 bills", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("MissingMobile", _output.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(_temp["tx.csv"]));
    }

    [Fact]
    public async Task Measure_WritesTheReport_AndPassesOnTheExitCode()
    {
        var exit = await Run("measure", "--report", _temp["report.txt"], "--", "/bin/sh", "-c", "sleep 0.1; exit 4");

        Assert.Equal(4, exit);
        var report = File.ReadAllLines(_temp["report.txt"]);
        Assert.Contains("exit_code=4", report);
        Assert.Contains("timed_out=false", report);
        Assert.Contains(report, l => l.StartsWith("wall_seconds=", StringComparison.Ordinal));
        Assert.Contains(report, l => l.StartsWith("peak_rss_mb=", StringComparison.Ordinal));
        Assert.Contains("measure: wall", _error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("export", "--members", "lots", "--out", "x")]
    [InlineData("export", "--out", "x")]
    [InlineData("export", "--members", "10", "--out", "x", "--colour", "red")]
    [InlineData("export", "--members", "10", "--out", "x", "--zip", "maybe")]
    [InlineData("transactions", "--bills", "10", "--out", "x.csv", "--lines-per-bill", "0.5")]
    [InlineData("transactions", "--bills", "10", "--out", "x.csv", "--bad-share", "2")]
    [InlineData("measure", "--timeout", "5")]
    [InlineData("measure", "--", "/no/such/program")]
    [InlineData("fly")]
    public async Task Run_ExitsWithTwoAndSaysWhatToChange_OnAUsageError(params string[] args)
    {
        var exit = await Run(args);

        Assert.Equal(2, exit);
        Assert.StartsWith("bench: ", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage: ConnectPlus.Bench", _error.ToString(), StringComparison.Ordinal);
    }

    private Task<int> Run(params string[] args) => BenchCli.RunAsync(args, _output, _error, CancellationToken.None);
}
