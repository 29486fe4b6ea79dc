using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ConnectPlus.Engine.Model;
using ConnectPlus.Tests.Data;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace ConnectPlus.Tests.Scheduling;

/// <summary>
/// Two real app processes (<c>dotnet ConnectPlus.Web.dll</c>) on one PostgreSQL database, clustered Quartz store with a
/// 1 s check-in: every fire runs once across them, and a run whose node is killed is finished by the other.
/// </summary>
public sealed class MultiNodeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();
    private readonly TempFolder _temp = new();
    private readonly List<Node> _nodes = [];

    public Task InitializeAsync() => _database.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) node.Dispose();
        foreach (var node in _nodes) output.WriteLine($"--- {node.Name}\n{node.Output}");
        await _database.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task ScheduledFires_RunOnceEach_AcrossTwoNodes_NeverTwoAtOnce()
    {
        var dataflow = await NewDataflowAsync(CopyFlow(_temp["in"], _temp["out"]));
        await using (var db = _database.Database.CreateDbContext())
        {
            db.Schedules.Add(new Schedule { DataflowId = dataflow, CronExpression = "0/3 * * * * ?", Created = SchedulingData.T0, Updated = SchedulingData.T0 });
            await db.SaveChangesAsync();
        }

        var a = Start("node-a");
        var b = Start("node-b");
        await Task.WhenAll(a.WaitUpAsync(), b.WaitUpAsync());
        var from = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(30));
        var to = DateTimeOffset.UtcNow;

        // Every fire time of the window (the cron fires at whole seconds divisible by 3), as the nodes' logs name them:
        // a fire on a busy machine may come late, but keeps its time. Wait until each is handled, or 60 s.
        var slots = new List<DateTimeOffset>();
        for (var s = from.AddSeconds(1).ToUnixTimeSeconds(); s <= to.AddSeconds(-3).ToUnixTimeSeconds(); s++)
            if (s % 3 == 0) slots.Add(DateTimeOffset.FromUnixTimeSeconds(s));
        List<Fire> handled = [];
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(200))
        {
            handled = [.. a.Fires(), .. b.Fires()];
            if (slots.All(slot => handled.Any(f => f.Time == slot))) break;
        }
        output.WriteLine($"fires handled: node a {a.Fires().Count}, node b {b.Fires().Count}; window {slots.Count} fires");

        // Each fire time was handled by one node only, whether it queued a run or was skipped (a run still going),
        // and none of the window is lost.
        Assert.Equal(handled.Count, handled.Select(f => f.Time).Distinct().Count());
        Assert.InRange(slots.Count, 8, 10);
        Assert.Equal(slots, handled.Select(f => f.Time).Where(t => t >= slots[0] && t <= slots[^1]).Order());
        // The runs the window's fires queued (most fires: an empty copy takes well under 3 s) all end well, on either node.
        var queued = handled.Where(f => f.Time >= slots[0] && f.Time <= slots[^1] && f.Run is not null).Select(f => f.Run!.Value).ToList();
        Assert.True(queued.Count >= slots.Count / 2, $"only {queued.Count} of {slots.Count} fires queued a run");
        var runs = await RunsAsync(dataflow);
        for (var waited = Stopwatch.StartNew(); runs.Any(r => !r.IsFinished) && waited.Elapsed < TimeSpan.FromSeconds(60); runs = await RunsAsync(dataflow))
            await Task.Delay(200);
        output.WriteLine($"{runs.Count} runs; by node: {string.Join(", ", runs.GroupBy(r => r.Node).Select(g => $"{g.Key} {g.Count()}"))}");
        Assert.All(queued, id => Assert.Contains(runs, r => r.Id == id));
        Assert.All(runs, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.All(runs, r => Assert.Contains(r.Node, new[] { a.Name, b.Name }));
        // Never two at once.
        var ordered = runs.OrderBy(r => r.Started).ToList();
        Assert.All(ordered.Zip(ordered.Skip(1)), pair => Assert.True(pair.Second.Started >= pair.First.Ended, $"runs {pair.First.Id} and {pair.Second.Id} overlap"));
    }

    /// <summary>A fire a node's log reports: its scheduled time, and the run it queued (null: skipped).</summary>
    private sealed record Fire(DateTimeOffset Time, long? Run);

    [Fact]
    public async Task RunOfAKilledNode_IsResumedByTheOtherNode_AndEveryFileArrivesOnce()
    {
        const int files = 16;
        const int size = 64 << 20;
        Directory.CreateDirectory(_temp["in"]);
        for (var i = 0; i < files; i++)
        {
            await using var file = File.Create(_temp[$"in/part-{i:00}.bin"]);
            file.SetLength(size);
        }
        var dataflow = await NewDataflowAsync(CopyFlow(_temp["in"], _temp["out"]));
        // One fire, once both nodes are up (or, if they are slow to start, as the catch-up of a missed fire).
        var at = DateTimeOffset.UtcNow.AddSeconds(25);
        await using (var db = _database.Database.CreateDbContext())
        {
            db.Schedules.Add(new Schedule
            {
                DataflowId = dataflow,
                CronExpression = string.Create(CultureInfo.InvariantCulture, $"{at.Second} {at.Minute} {at.Hour} {at.Day} {at.Month} ? {at.Year}"),
                Created = SchedulingData.T0,
                Updated = SchedulingData.T0,
            });
            await db.SaveChangesAsync();
        }
        var a = Start("node-a");
        var b = Start("node-b");
        await Task.WhenAll(a.WaitUpAsync(), b.WaitUpAsync());

        var first = await WaitForAsync(dataflow, r => r.Status == RunStatus.Running && r.ResumeOf == null, TimeSpan.FromSeconds(60));
        var victim = _nodes.Single(n => n.Name == first.Node);
        var survivor = _nodes.Single(n => n != victim);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var killed = Stopwatch.StartNew();
        victim.Kill();
        var resumed = await WaitForAsync(dataflow, r => r.ResumeOf == first.Id && r.Started != null, TimeSpan.FromSeconds(60));
        var failover = killed.Elapsed;
        var done = await WaitForAsync(dataflow, r => r.Id == resumed.Id && r.IsFinished, TimeSpan.FromSeconds(60));
        output.WriteLine($"failover (kill → resume run started on {resumed.Node}): {failover.TotalSeconds:0.0} s; resume run took {(done.Ended - done.Started)!.Value.TotalSeconds:0.0} s");

        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(survivor.Name, done.Node);
        Assert.Equal(RunStatus.Interrupted, (await RunsAsync(dataflow)).Single(r => r.Id == first.Id).Status);
        // The killed node may leave the hidden temporary file of the copy it was writing (".part-07.bin.part-<run>"):
        // nobody reads hidden files, and no partial file is ever visible under a delivered name.
        var visible = Directory.GetFiles(_temp["out"]).Where(f => !Path.GetFileName(f).StartsWith('.')).ToList();
        var delivered = visible.Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(0, files).Select(i => $"part-{i:00}.bin"), delivered);
        Assert.All(visible, f => Assert.Equal(size, new FileInfo(f).Length));
        Assert.All(Directory.GetFiles(_temp["out"]).Except(visible), f => Assert.Matches(@"^\.part-\d\d\.bin\.part-", Path.GetFileName(f)));
    }

    private static DataflowDefinition CopyFlow(string from, string to)
    {
        Directory.CreateDirectory(from);
        return new DataflowDefinition
        {
            Name = "copy",
            Nodes =
            [
                new() { Id = "source", Type = "local-folder-source", Settings = JsonSerializer.SerializeToNode(new { folder = from, processedFolder = Path.Combine(from, "processed") }, DataflowJson.Options)!.AsObject() },
                new() { Id = "destination", Type = "local-folder-destination", Settings = JsonSerializer.SerializeToNode(new { folder = to, onConflict = "replace" }, DataflowJson.Options)!.AsObject() },
            ],
            Edges = [EdgeDefinition.Link("source", "files", "destination", "files")],
        };
    }

    private async Task<int> NewDataflowAsync(DataflowDefinition definition)
    {
        var dataflow = await SchedulingData.NewDataflowAsync(_database.Database, DataflowJson.Serialize(definition));
        return dataflow.Id;
    }

    private async Task<List<Run>> RunsAsync(int dataflowId)
    {
        await using var db = _database.Database.CreateDbContext();
        return await db.Runs.AsNoTracking().Where(r => r.DataflowId == dataflowId).OrderBy(r => r.Id).ToListAsync();
    }

    private async Task<Run> WaitForAsync(int dataflowId, Func<Run, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if ((await RunsAsync(dataflowId)).FirstOrDefault(condition) is { } run) return run;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out; runs: {string.Join("; ", (await RunsAsync(dataflowId)).Select(r => $"#{r.Id} {r.Status} on {r.Node} resumes {r.ResumeOf} {r.Error}"))}");
            await Task.Delay(100);
        }
    }

    private Node Start(string name)
    {
        var node = new Node(name, FreePort(), _database.Settings.ConnectionString, _temp[$"{name}"]);
        _nodes.Add(node);
        return node;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>One app process.</summary>
    private sealed class Node : IDisposable
    {
        private readonly StringBuilder _output = new();
        private readonly Process _process;
        private readonly int _port;

        public Node(string name, int port, string connectionString, string folder)
        {
            Directory.CreateDirectory(folder);
            _port = port;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ConnectPlus.Web.dll"));
            var environment = new Dictionary<string, string>
            {
                ["Database__Provider"] = "PostgreSql",
                ["ConnectionStrings__ConnectPlus"] = connectionString,
                ["Urls"] = $"http://127.0.0.1:{port}",
                ["Scheduling__CheckinIntervalSeconds"] = "1",
                ["Scheduling__CheckinMisfireThresholdSeconds"] = "2",
                ["Scheduling__MisfireThresholdSeconds"] = "5",
                ["Runs__HeartbeatSeconds"] = "0.5",
                // Quartz's cluster recovery is what this test measures, not the heartbeat sweep.
                ["Runs__StaleAfterSeconds"] = "120",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__ConnectPlus"] = "Information",
                ["Logging__LogLevel__Quartz"] = "Information",
            };
            foreach (var (key, value) in environment) start.Environment[key] = value;
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            Name = $"{Environment.MachineName}/{_process.Id.ToString(CultureInfo.InvariantCulture)}";
        }

        /// <summary>As the node writes it on runs (machine/pid).</summary>
        public string Name { get; }

        public string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        /// <summary>The fire times of the schedule fires this node handled (from its log).</summary>
        public List<Fire> Fires() =>
            [.. System.Text.RegularExpressions.Regex.Matches(Output, @"Schedule \d+ fired \(fire time ([^)]+)\)(?:: run (\d+))?")
                .Select(m => new Fire(DateTimeOffset.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                    m.Groups[2].Success ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : null))];

        public async Task WaitUpAsync()
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < deadline)
            {
                Assert.False(_process.HasExited, $"{Name} exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{_port}/sandbox/capillary/_settings"));
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    await Task.Delay(200);
                }
            }
            Assert.Fail($"{Name} did not come up:\n{Output}");
        }

        /// <summary>Kills the process at once (SIGKILL): no shutdown, nothing handed back.</summary>
        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null) return;
            lock (_output) _output.AppendLine(line);
        }
    }
}
