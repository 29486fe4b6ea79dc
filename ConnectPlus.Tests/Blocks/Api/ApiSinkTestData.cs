using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>Payload records, connections and harness set-ups shared by the API sink tests.</summary>
public static class ApiSinkTestData
{
    public static readonly RecordSchema LineSchema = new(["bill_number", "mobile", "sku", "amount"]);

    /// <summary>A Capillary connection to the fake API (OAuth key/secret by default).</summary>
    public static ConnectionDefinition Capillary(string baseUrl = "https://capillary.test", object? extra = null)
    {
        var settings = new JsonObject { ["baseUrl"] = baseUrl, ["auth"] = "oauth", ["clientKey"] = "key", ["clientSecret"] = "secret" };
        if (extra is not null)
        {
            foreach (var (key, value) in System.Text.Json.JsonSerializer.SerializeToNode(extra, DataflowJson.Options)!.AsObject())
                settings[key] = value?.DeepClone();
        }
        return new ConnectionDefinition { Name = "brand", Type = "capillary", Settings = settings };
    }

    /// <summary>Bills b-1…b-n from bills.csv, each built from <paramref name="linesPerBill"/> source rows (lines 2, 3…).</summary>
    public static List<Record> Bills(int count, int linesPerBill = 2, string file = "bills.csv", int first = 1)
    {
        var records = new List<Record>();
        var line = 2L;
        for (var b = first; b < first + count; b++)
        {
            var bill = $"b-{b}";
            var rows = Enumerable.Range(0, linesPerBill)
                .Select(i => new Record([bill, "9190000" + b.ToString("D5", System.Globalization.CultureInfo.InvariantCulture), $"sku{i}", "100"], new SourceRef(file, line++)))
                .ToList();
            records.Add(PayloadRecord.Create(bill, Bill(bill), LineSchema, rows));
        }
        return records;
    }

    /// <summary>A v2 transaction's JSON.</summary>
    public static string Bill(string billNumber) =>
        $$"""{"identifierType":"mobile","identifierValue":"919000000001","source":"INSTORE","type":"REGULAR","billNumber":"{{billNumber}}","billingDate":"2025-04-11T11:00:00+05:30","billAmount":"200"}""";

    /// <summary>A harness for the Capillary API block over the fake API, with a clock that does not really wait.</summary>
    public static BlockHarness Sink(object settings, FakeApi api, IEnumerable<Record> records, TimeProvider? time = null, ConnectionDefinition? connection = null, ICheckpointStore? checkpoints = null)
    {
        var harness = BlockHarness.For("capillary-api", settings)
            .WithRecords("records", PayloadRecord.Schema, records)
            .WithService<IConnectionProvider>(new InMemoryConnectionProvider([connection ?? Capillary()]))
            .WithService<HttpMessageHandler>(api)
            .WithTime(time ?? new InstantTime());
        return checkpoints is null ? harness : harness.WithService(checkpoints);
    }

    /// <summary>Runs a harness dataflow without the collector of the rejected port, so rejects go to the run's error file.</summary>
    public static async Task<(RunResult Run, HarnessData Data, RecordingObserver Observer, TempFolder Folder)> RunWithErrorFileAsync(
        string blockType, object settings, IEnumerable<Record> records, RecordSchema schema, params (Type Type, object Service)[] services)
    {
        var folder = new TempFolder();
        var data = new HarnessData(folder["out"]);
        data.RecordInputs["records"] = [new RecordBatch(schema, [.. records])];
        foreach (var (type, service) in services) data.Extra[type] = service;
        var dataflow = BlockHarness.For(blockType, settings).WithRecords("records", schema, []).BuildDataflow();
        dataflow = dataflow with
        {
            Nodes = [.. dataflow.Nodes.Where(n => n.Id != "collect-rejected")],
            Edges = [.. dataflow.Edges.Where(e => e.Target.Node != "collect-rejected")],
        };
        var observer = new RecordingObserver();
        var run = await new DataflowRunner(BlockHarness.Catalog).RunAsync(dataflow,
            new RunOptions { WorkRoot = folder["work"], OutputFolder = folder["runs"], Services = data, Time = new InstantTime() }, observer);
        return (run, data, observer, folder);
    }

    /// <summary>The block's log lines.</summary>
    public static IEnumerable<string> Log(RecordingObserver observer, RunLogLevel? level = null) =>
        observer.Log.Where(l => l.NodeId == "block" && (level is null || l.Level == level)).Select(l => l.Message);
}

/// <summary>Checkpoints in memory, for tests.</summary>
public sealed class MemoryCheckpointStore : ICheckpointStore
{
    private readonly Lock _lock = new();
    private readonly List<Checkpoint> _checkpoints = [];

    public IReadOnlyList<Checkpoint> All
    {
        get { lock (_lock) return [.. _checkpoints]; }
    }

    public List<string> Forgotten { get; } = [];

    public void Add(Checkpoint checkpoint)
    {
        lock (_lock) _checkpoints.Add(checkpoint);
    }

    public Task<IReadOnlyList<Checkpoint>> LoadAsync(string dataflow, string node, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<Checkpoint>>([.. _checkpoints.Where(c => c.Dataflow == dataflow && c.Node == node)]);
    }

    public Task RecordAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        Add(checkpoint);
        return Task.CompletedTask;
    }

    public Task ForgetAsync(string dataflow, string node, IReadOnlyCollection<string> sources, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Forgotten.AddRange(sources);
            _checkpoints.RemoveAll(c => c.Dataflow == dataflow && c.Node == node && sources.Contains(c.Source));
        }
        return Task.CompletedTask;
    }
}

/// <summary>A memory store that also keeps every checkpoint ever recorded.</summary>
public sealed class RecordingStore : ICheckpointStore
{
    private readonly MemoryCheckpointStore _inner = new();
    private readonly List<Checkpoint> _recorded = [];

    public IReadOnlyList<Checkpoint> Recorded
    {
        get { lock (_recorded) return [.. _recorded.OrderBy(c => c.Batch)]; }
    }

    public IReadOnlyList<Checkpoint> All => _inner.All;
    public List<string> Forgotten => _inner.Forgotten;

    /// <summary>A checkpoint an earlier run left (not counted as recorded).</summary>
    public void Add(Checkpoint checkpoint) => _inner.Add(checkpoint);

    public Task<IReadOnlyList<Checkpoint>> LoadAsync(string dataflow, string node, CancellationToken cancellationToken) => _inner.LoadAsync(dataflow, node, cancellationToken);

    public Task RecordAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        lock (_recorded) _recorded.Add(checkpoint);
        return _inner.RecordAsync(checkpoint, cancellationToken);
    }

    public Task ForgetAsync(string dataflow, string node, IReadOnlyCollection<string> sources, CancellationToken cancellationToken) =>
        _inner.ForgetAsync(dataflow, node, sources, cancellationToken);
}
