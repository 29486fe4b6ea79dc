using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ConnectPlus.Bench.Transactions;
using ConnectPlus.Bench.Workload;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Tests.Sandbox;
using ConnectPlus.Tests.Web;
using ConnectPlus.Web.Cli;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Connections;
using ConnectPlus.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectPlus.Tests.Runs;

/// <summary>
/// Restart safety for real: the web host runs in a child process on a SQLite file and delivers the
/// transactions sample to the Capillary sandbox (served by this test process, so its records survive the
/// kill); the child is killed (SIGKILL) mid-run and started again. The cut-off run must end Interrupted, its
/// resume run Succeeded, and the sandbox must hold every bill exactly once.
/// </summary>
public sealed class RestartRecoveryTests(KestrelSandbox sandbox, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<KestrelSandbox>, IDisposable
{
    private const int Members = 20;
    private const string Node = "restart-test-node";
    private readonly TempFolder _folder = new();
    private readonly SandboxApi _api = sandbox.Api();

    public void Dispose()
    {
        _api.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private string DatabaseFile => _folder["data/connectplus.db"];

    [Fact]
    public async Task HostKilledMidRun_ThenStarted_MarksTheRunInterrupted_ResumesIt_AndDeliversEveryBillExactlyOnce()
    {
        await PrepareSandboxAsync();
        var input = Directory.CreateDirectory(_folder["in"]).FullName;
        var generated = TransactionsGenerator.Generate(new TransactionsOptions
        {
            Bills = 2000, OutputFile = Path.Combine(input, "bills.csv"), Members = Members, Seed = 11, BadShare = 0, LinesPerBill = 1,
        }, CancellationToken.None);
        var expected = Enumerable.Range(1, (int)generated.Bills).Select(i => $"B{100_000_000 + i}").ToHashSet();
        await using var services = await SeedAsync(input);
        var database = services.GetRequiredService<ConnectPlusDatabase>();
        var (firstId, dataflowId) = await FirstRunAsync(database);

        // Start 1: the node finds its own run #1 Running (as if it had died), interrupts it and resumes it as run #2; killed mid-run.
        long secondId;
        using (var first = StartHost())
        {
            secondId = (await WaitForAsync(database, async db => await db.Runs.Where(r => r.ResumeOf == firstId).Select(r => (long?)r.Id).SingleOrDefaultAsync(), first, "the resume of run #1")).GetValueOrDefault();
            await WaitForAsync(database, async db => await db.Checkpoints.CountAsync() >= 20 ? true : (bool?)null, first, "20 acknowledged batches");
            first.Process.Kill(entireProcessTree: true);
            await first.Process.WaitForExitAsync();
            log.WriteLine(first.Output);
        }
        var afterKill = await BillCountsAsync();
        log.WriteLine($"Killed with {afterKill.Count} of {expected.Count} bills in the sandbox.");
        Assert.InRange(afterKill.Count, 200, expected.Count - 1);
        Assert.Equal(RunStatus.Running, (await RunAsync(database, secondId)).Status);

        // Start 2: the same node name recovers run #2 at once and resumes it as run #3, to the end.
        using var second = StartHost();
        var thirdId = (await WaitForAsync(database, async db => await db.Runs.Where(r => r.ResumeOf == secondId).Select(r => (long?)r.Id).SingleOrDefaultAsync(), second, "the resume of run #2")).GetValueOrDefault();
        var third = await WaitForAsync(database, async db => await db.Runs.AsNoTracking().SingleAsync(r => r.Id == thirdId) is { IsFinished: true } run ? run : null, second, "run #3 to end", seconds: 180);
        log.WriteLine(second.Output);

        var interrupted = await RunAsync(database, secondId);
        Assert.Equal(RunStatus.Interrupted, interrupted.Status);
        Assert.Contains($"Node {Node} stopped (crash, kill or restart) while running it", interrupted.Error);
        Assert.True(third.Status == RunStatus.Succeeded, $"{third.Status}: {third.Error}\n{second.Output}");
        Assert.Equal((RunTrigger.Manual, "restart test", 2000L, 0L), (third.Trigger, third.TriggeredBy, third.RowsRead, third.RowsRejected));
        var bills = await BillCountsAsync();
        Assert.Equal(expected.Order(StringComparer.Ordinal), bills.Keys.Order(StringComparer.Ordinal));
        Assert.All(bills, b => Assert.True(b.Value == 1, $"{b.Key} arrived {b.Value} times"));
        await using var db = database.CreateDbContext();
        var lines = await db.RunLogLines.Where(l => l.RunId == thirdId).Select(l => l.Message).ToListAsync();
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"bills\.csv: skipped \d+ batches \([\d,]+ items\) already delivered by run \S+\."));
        Assert.Empty(await db.Checkpoints.ToListAsync());
        Assert.True(File.Exists(third.SuccessFilePath), third.SuccessFilePath);
        Assert.Single(Directory.GetFiles(Path.Combine(input, "processed")));
        Assert.Equal(3, await db.Runs.CountAsync(r => r.DataflowId == dataflowId));
    }

    private async Task PrepareSandboxAsync()
    {
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await _api.Http.PostAsync(new Uri(SandboxApi.Base + "/_reset", UriKind.Relative), null)).StatusCode);
        Assert.Equal(200, (await _api.PutAsync("/_settings", """{"latencyMs":40}""")).Code);
        for (var member = 0; member < Members; member++)
            await _api.AddCustomerAsync(MemberIdentity.Mobile(member).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The database the child uses: migrated, a workspace, the sandbox connection (secret encrypted with the database's keys), the sample dataflow published.</summary>
    private async Task<ServiceProvider> SeedAsync(string input)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:ConnectPlus"] = $"Data Source={DatabaseFile}",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddConnectPlusData();
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ConnectPlusDatabase>().MigrateAsync();
        await using var db = provider.GetRequiredService<ConnectPlusDatabase>().CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var workspace = new Workspace { Name = "Restart", Created = now };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        await provider.GetRequiredService<ConnectionService>().CreateAsync(workspace.Id, new ConnectionInput
        {
            Name = "capillary-sandbox",
            Type = "capillary",
            Settings = new JsonObject { ["baseUrl"] = sandbox.CapillaryUrl, ["auth"] = "oauth", ["clientKey"] = "sandbox-key", ["clientSecret"] = "sandbox-secret" },
        });
        var definition = RunCommand.ApplyOverrides(await DataflowJson.LoadAsync(SamplePath()),
            [("source", "folder", input), ("destination", "folder", _folder["out"]), ("capillary", "batchSize", "10")], BlockCatalog.Default);
        var dataflow = new Dataflow { WorkspaceId = workspace.Id, Name = definition.Name, Created = now, Updated = now };
        db.DataflowVersions.Add(new DataflowVersion { Dataflow = dataflow, Number = 1, Definition = DataflowJson.Serialize(definition), Author = "test", Created = now, State = DataflowVersionState.Published });
        await db.SaveChangesAsync();
        return provider;
    }

    /// <summary>Run #1: left Running by this node, as a node that died before doing anything would leave it.</summary>
    private static async Task<(long RunId, int DataflowId)> FirstRunAsync(ConnectPlusDatabase database)
    {
        await using var db = database.CreateDbContext();
        var version = await db.DataflowVersions.SingleAsync();
        var run = new Run
        {
            Key = "20260101-000000-000001", DataflowId = version.DataflowId, DataflowVersionId = version.Id, Status = RunStatus.Running,
            Trigger = RunTrigger.Manual, TriggeredBy = "restart test", Node = Node, Queued = DateTimeOffset.UtcNow, Started = DateTimeOffset.UtcNow, Heartbeat = DateTimeOffset.UtcNow,
        };
        db.Runs.Add(run);
        await db.SaveChangesAsync();
        return (run.Id, version.DataflowId);
    }

    private static async Task<Run> RunAsync(ConnectPlusDatabase database, long id)
    {
        await using var db = database.CreateDbContext();
        return await db.Runs.AsNoTracking().SingleAsync(r => r.Id == id);
    }

    private static async Task<T> WaitForAsync<T>(ConnectPlusDatabase database, Func<ConnectPlusDbContext, Task<T?>> probe, CliProcess host, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            await using (var db = database.CreateDbContext())
            {
                if (await probe(db) is { } value) return value;
            }
            Assert.False(host.Process.HasExited, $"The host stopped while waiting for {what}:\n{host.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"Waited {seconds} s for {what}:\n{host.Output}");
            await Task.Delay(25);
        }
    }

    private async Task<Dictionary<string, int>> BillCountsAsync()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var skip = 0; ; skip += 10_000)
        {
            var page = (await _api.GetAsync($"/_state/bills?skip={skip}&take=10000")).Json.GetProperty("bills");
            foreach (var bill in page.EnumerateArray())
            {
                var number = bill.GetProperty("billNumber").GetString()!;
                counts[number] = counts.GetValueOrDefault(number) + 1;
            }
            if (page.GetArrayLength() < 10_000) return counts;
        }
    }

    private CliProcess StartHost() => CliProcess.Start([], new Dictionary<string, string>
    {
        ["Urls"] = "http://127.0.0.1:0",
        ["Database__Provider"] = "Sqlite",
        ["ConnectionStrings__ConnectPlus"] = $"Data Source={DatabaseFile}",
        ["Engine__NodeName"] = Node,
        ["Engine__RunsFolder"] = _folder["runs"],
        ["Engine__WorkFolder"] = _folder["work"],
        ["Runs__HeartbeatSeconds"] = "0.5",
        ["Logging__LogLevel__Default"] = "Warning",
    }, _folder.Path);

    private static string SamplePath([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "samples", "transactions-to-capillary.json"));
}
