using System.Runtime.CompilerServices;
using ConnectPlus.Bench.Transactions;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Model;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Tests.Sandbox;
using ConnectPlus.Web.Cli;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ConnectPlus.Tests.Web;

/// <summary>The app on a real Kestrel port, for runs of the CLI (in this process or a child one) against its Capillary sandbox.</summary>
public sealed class KestrelSandbox : IDisposable
{
    private readonly WebApplicationFactory<Program> _factory = new();

    public KestrelSandbox()
    {
        _factory.UseKestrel(0);
        _factory.StartServer();
        BaseAddress = _factory.ClientOptions.BaseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The base URL a Capillary connection names.</summary>
    public string CapillaryUrl => new Uri(BaseAddress, "/sandbox/capillary").ToString();

    public SandboxApi Api() => new(new HttpClient { BaseAddress = BaseAddress });

    public void Dispose() => _factory.Dispose();
}

/// <summary>
/// The transactions sample through the CLI against the sandbox: the success and error files, and the
/// delivery guarantee when the process is killed mid-run (SIGKILL) and run again.
/// </summary>
public sealed class CapillarySampleRunTests : IClassFixture<KestrelSandbox>, IDisposable
{
    private const int Members = 20;
    private readonly KestrelSandbox _server;
    private readonly SandboxApi _api;
    private readonly TempFolder _folder = new();
    private readonly Xunit.Abstractions.ITestOutputHelper _log;

    public CapillarySampleRunTests(KestrelSandbox server, Xunit.Abstractions.ITestOutputHelper log)
    {
        _server = server;
        _log = log;
        _api = server.Api();
    }

    public void Dispose()
    {
        _api.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task TransactionsSample_DeliversTheBills_WritesTheSuccessFile_AndPutsRefusalsInTheErrorFiles()
    {
        await PrepareSandboxAsync(latencyMs: 0);
        var input = Directory.CreateDirectory(_folder["in"]).FullName;
        var generated = TransactionsGenerator.Generate(new TransactionsOptions
        {
            Bills = 400, OutputFile = Path.Combine(input, "bills.csv"), Members = Members, Seed = 5, BadShare = 0.05,
        }, CancellationToken.None);

        var (code, text, error) = await RunInProcessAsync(input);

        Assert.True(code == CliCommands.Success, error + text);
        Assert.Contains("Outcome: SucceededWithErrors.", text);
        var goodBills = generated.Bills - generated.BadBills.Values.Sum();
        var bills = await BillCountsAsync();
        Assert.Equal(goodBills, bills.Count);
        Assert.All(bills.Values, n => Assert.Equal(1, n));
        var success = await File.ReadAllLinesAsync(Assert.Single(Directory.GetFiles(_folder["out"], "bills_delivered_*.csv")));
        Assert.StartsWith("bill_number,bill_date,mobile,store_code,", success[0], StringComparison.Ordinal);
        Assert.EndsWith(",api_status,api_code,api_message,entity_id,points_awarded", success[0], StringComparison.Ordinal);
        Assert.Equal(generated.Rows - generated.BadRows, success.Length - 1);
        Assert.All(success.Skip(1), l => Assert.Matches(@",success,,,\d+,\d+$", l));
        var apiErrors = await File.ReadAllLinesAsync(Assert.Single(Directory.GetFiles(_folder["runs"], "errors-capillary.csv", SearchOption.AllDirectories)));
        Assert.EndsWith(",api_status,api_code,api_message,entity_id,points_awarded,error_block,error_code,error_message,source_file,source_line", apiErrors[0], StringComparison.Ordinal);
        Assert.All(apiErrors.Skip(1), l => Assert.Contains(",failed,631,", l, StringComparison.Ordinal));
        Assert.Equal(generated.BadBills[ConnectPlus.Bench.Transactions.BadBillKind.NegativeAmount] > 0, apiErrors.Length > 1);
        Assert.Single(Directory.GetFiles(Path.Combine(input, "processed")));
        // The run's one error file joins both blocks' files; the CLI names it first, then the blocks' own.
        var payloadErrors = await File.ReadAllLinesAsync(Assert.Single(Directory.GetFiles(_folder["runs"], "errors-payload.csv", SearchOption.AllDirectories)));
        var runErrors = Assert.Single(Directory.GetFiles(_folder["runs"], "errors.csv", SearchOption.AllDirectories));
        Assert.Contains($"Error file: {runErrors}", text);
        Assert.Contains($"  by block: {Path.Combine(Path.GetDirectoryName(runErrors)!, "errors-payload.csv")}", text);
        var joined = await File.ReadAllLinesAsync(runErrors);
        Assert.Equal(apiErrors[0], joined[0]);
        Assert.Equal(generated.BadRows, joined.Length - 1);
        Assert.Equal(payloadErrors.Length - 1 + apiErrors.Length - 1, joined.Length - 1);
    }

    [Fact]
    public async Task TransactionsSample_RunThatFindsNoBillFile_DeliversNoEmptySuccessFile()
    {
        // A schedule every 15 minutes mostly finds nothing new: those runs must not litter the results folder.
        var input = Directory.CreateDirectory(_folder["in"]).FullName;

        var (code, text, error) = await RunInProcessAsync(input);

        Assert.True(code == CliCommands.Success, error + text);
        Assert.Contains("Outcome: Succeeded.", text);
        Assert.Contains("[success] No rows arrived: no file written (When no rows: skip).", text);
        Assert.False(Directory.Exists(_folder["out"]) && Directory.EnumerateFileSystemEntries(_folder["out"]).Any(),
            "the results folder should stay empty: " + string.Join(", ", Directory.Exists(_folder["out"]) ? Directory.GetFiles(_folder["out"]) : []));
        Assert.DoesNotContain("Error file:", text);
    }

    /// <summary>
    /// THE delivery test: the CLI is killed (SIGKILL) after some batches were acknowledged, then run
    /// again to completion; the sandbox's own records must hold every bill exactly once.
    /// </summary>
    [Fact]
    public async Task TransactionsSample_KilledMidRun_ThenRunAgain_DeliversEveryBillExactlyOnce()
    {
        await PrepareSandboxAsync(latencyMs: 40);
        var input = Directory.CreateDirectory(_folder["in"]).FullName;
        var generated = TransactionsGenerator.Generate(new TransactionsOptions
        {
            Bills = 2000, OutputFile = Path.Combine(input, "bills.csv"), Members = Members, Seed = 9, BadShare = 0, LinesPerBill = 1,
        }, CancellationToken.None);
        var expected = Enumerable.Range(1, (int)generated.Bills).Select(i => $"B{100_000_000 + i}").ToHashSet();
        var dataflow = await DataflowJson.LoadAsync(SamplePath());
        using var checkpoints = new FileCheckpointStore(Path.Combine(_folder["runs"], "checkpoints"));
        var checkpointFile = checkpoints.PathFor(dataflow.Name);

        // First run: killed once 20 of its 200 batches are acknowledged.
        using (var first = StartChild(input))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (CountLines(checkpointFile) < 20 && !first.Process.HasExited && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.False(first.Process.HasExited, "The first run ended before it could be killed:\n" + first.Output);
            first.Process.Kill(entireProcessTree: true);
            await first.Process.WaitForExitAsync();
        }
        var afterKill = await BillCountsAsync();
        _log.WriteLine($"Killed after {CountLines(checkpointFile)} acknowledged batches; the sandbox had {afterKill.Count} of {expected.Count} bills.");
        Assert.InRange(afterKill.Count, 200, expected.Count - 1);
        Assert.True(File.Exists(Path.Combine(input, "bills.csv")), "The source file must stay for the next run.");

        // Second run: to completion.
        using var second = StartChild(input);
        await second.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var output = second.Output;
        _log.WriteLine(output);
        Assert.True(second.Process.ExitCode == CliCommands.Success, output);
        Assert.Matches(@"bills\.csv: skipped \d+ batches \([\d,]+ items\) already delivered by run \S+\.", output);

        var bills = await BillCountsAsync();
        Assert.Equal(expected.Order(StringComparer.Ordinal), bills.Keys.Order(StringComparer.Ordinal));
        Assert.All(bills, b => Assert.True(b.Value == 1, $"{b.Key} arrived {b.Value} times"));
        Assert.False(File.Exists(checkpointFile), "The checkpoints of a delivered file are forgotten once the run succeeded.");
        Assert.Single(Directory.GetFiles(Path.Combine(input, "processed")));
    }

    private Task PrepareSandboxAsync(int latencyMs) => SandboxBills.PrepareAsync(_api, Members, latencyMs);

    private Task<Dictionary<string, int>> BillCountsAsync() => SandboxBills.CountAsync(_api);

    private string ConnectionsFile()
    {
        var path = _folder["connections.json"];
        if (!File.Exists(path))
        {
            var text = File.ReadAllText(Path.Combine(SamplesFolder(), "connections.sandbox.json")).Replace("http://localhost:5000/sandbox/capillary", _server.CapillaryUrl, StringComparison.Ordinal);
            File.WriteAllText(path, text);
        }
        return path;
    }

    private string[] Arguments(string input) =>
    [
        "run", "--flow", SamplePath(), "--set", $"source.folder={input}", "--set", $"destination.folder={_folder["out"]}",
        "--set", "capillary.batchSize=10", "--connections", ConnectionsFile(), "--runs", _folder["runs"],
    ];

    private async Task<(int Code, string Out, string Err)> RunInProcessAsync(string input)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliCommands.RunAsync(Arguments(input), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private CliProcess StartChild(string input) => CliProcess.Start(Arguments(input));

    private static int CountLines(string path)
    {
        if (!File.Exists(path)) return 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var count = 0;
        int b;
        while ((b = stream.ReadByte()) >= 0) if (b == '\n') count++;
        return count;
    }

    private static string SamplePath() => Path.Combine(SamplesFolder(), "transactions-to-capillary.json");

    private static string SamplesFolder([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "samples"));
}
