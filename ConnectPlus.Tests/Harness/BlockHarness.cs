using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Tests.Harness;

/// <summary>
/// Runs one block for real (through <see cref="DataflowRunner"/>): feeds its inputs, collects every
/// output port, and returns the run result with what each port produced.
/// <code>
/// var result = await BlockHarness.For("map", new { columns = ... })
///     .WithRecords("records", ["a", "b"], ["1", "2"])
///     .RunAsync();
/// result.Records("records").Column("a")
/// </code>
/// </summary>
public sealed class BlockHarness
{
    /// <summary>The engine's blocks plus the harness's test blocks.</summary>
    public static BlockCatalog Catalog { get; } = new([typeof(BlockCatalog).Assembly, typeof(BlockHarness).Assembly]);

    private readonly string _type;
    private readonly JsonObject _settings;
    private readonly HarnessData _data;
    private readonly TempFolder _folder = new();
    private DataflowOptions _options = new();
    private int _batchSize = 1024;
    private TimeProvider _time = TimeProvider.System;

    private BlockHarness(string type, JsonObject settings)
    {
        _type = type;
        _settings = settings;
        _data = new HarnessData(Path.Combine(_folder.Path, "collected"));
    }

    /// <summary>Starts a harness for a block type; settings as an anonymous object, a JsonObject or JSON text.</summary>
    public static BlockHarness For(string blockType, object? settings = null) => new(blockType, ToJson(settings));

    /// <summary>A folder that lives as long as the harness result.</summary>
    public string Folder => _folder.Path;

    /// <summary>Feeds rows (first array: column names) to a records input.</summary>
    public BlockHarness WithRecords(string port, string[] columns, params string?[][] rows) =>
        WithRecords(port, new RecordSchema(columns), rows.Select((r, i) => new Record(r, new SourceRef("input.csv", i + 2))));

    /// <summary>Feeds rows to a records input, in batches of the harness batch size.</summary>
    public BlockHarness WithRecords(string port, RecordSchema schema, IEnumerable<Record> rows)
    {
        var batches = rows.Chunk(_batchSize).Select(chunk => new RecordBatch(schema, chunk)).ToList();
        _data.RecordInputs[port] = batches;
        return this;
    }

    /// <summary>Feeds files to a files input.</summary>
    public BlockHarness WithFiles(string port, params FileItem[] files)
    {
        _data.FileInputs[port] = [.. files];
        return this;
    }

    /// <summary>Feeds local files (by path) to a files input.</summary>
    public BlockHarness WithLocalFiles(string port, params string[] paths) =>
        WithFiles(port, [.. paths.Select(p => FileItem.FromLocalFile(p))]);

    /// <summary>Sets the dataflow options (error thresholds).</summary>
    public BlockHarness WithOptions(DataflowOptions options)
    {
        _options = options;
        return this;
    }

    /// <summary>Sets the rows per batch fed and produced.</summary>
    public BlockHarness WithBatchSize(int size)
    {
        _batchSize = size;
        return this;
    }

    /// <summary>Sets the run's clock (a fake one for blocks that wait).</summary>
    public BlockHarness WithTime(TimeProvider time)
    {
        _time = time;
        return this;
    }

    /// <summary>Makes a service visible to the block through BlockContext.Services.</summary>
    public BlockHarness WithService<T>(T service) where T : class
    {
        _data.Extra[typeof(T)] = service;
        return this;
    }

    /// <summary>The dataflow the harness runs (block under test has id "block").</summary>
    public DataflowDefinition BuildDataflow()
    {
        var descriptor = Catalog.Find(_type) ?? throw new ArgumentException($"Unknown block type {_type}");
        var nodes = new List<NodeDefinition> { new() { Id = "block", Type = _type, Version = descriptor.Version, Settings = _settings } };
        var edges = new List<EdgeDefinition>();
        foreach (var input in descriptor.Inputs)
        {
            var feeding = input.Kind == PortKind.Records ? _data.RecordInputs.ContainsKey(input.Name) : _data.FileInputs.ContainsKey(input.Name);
            if (!feeding) continue;
            var id = "feed-" + input.Name;
            var type = input.Kind == PortKind.Records ? "test-feed-records" : "test-feed-files";
            nodes.Add(new NodeDefinition { Id = id, Type = type, Settings = new JsonObject { ["key"] = input.Name } });
            edges.Add(EdgeDefinition.Link(id, input.Kind == PortKind.Records ? "records" : "files", "block", input.Name));
        }
        foreach (var output in descriptor.Outputs)
        {
            var id = "collect-" + output.Name;
            var type = output.Kind == PortKind.Records ? "test-collect-records" : "test-collect-files";
            nodes.Add(new NodeDefinition { Id = id, Type = type, Settings = new JsonObject { ["key"] = output.Name } });
            edges.Add(EdgeDefinition.Link("block", output.Name, id, output.Kind == PortKind.Records ? "records" : "files"));
        }
        return new DataflowDefinition { Name = $"harness {_type}", Nodes = nodes, Edges = edges, Options = _options };
    }

    /// <summary>Runs the block once.</summary>
    public async Task<HarnessResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var options = new RunOptions
        {
            WorkRoot = Path.Combine(_folder.Path, "work"),
            OutputFolder = Path.Combine(_folder.Path, "runs"),
            BatchSize = _batchSize,
            Services = _data,
            Time = _time,
        };
        var log = new RecordingObserver();
        var result = await new DataflowRunner(Catalog).RunAsync(BuildDataflow(), options, log, cancellationToken);
        return new HarnessResult(result, _data, log, _folder);
    }

    private static JsonObject ToJson(object? settings) => settings switch
    {
        null => [],
        JsonObject json => json,
        string text => JsonNode.Parse(text)!.AsObject(),
        _ => JsonSerializer.SerializeToNode(settings, DataflowJson.Options)!.AsObject(),
    };
}

/// <summary>What a harness run produced.</summary>
public sealed class HarnessResult(RunResult run, HarnessData data, RecordingObserver observer, TempFolder folder)
{
    public RunResult Run { get; } = run;
    public RecordingObserver Observer { get; } = observer;
    public TempFolder Folder { get; } = folder;
    public BlockStats Stats => Run.Blocks.Single(b => b.NodeId == "block");

    /// <summary>Rows that came out of an output port (empty when none).</summary>
    public CollectedRecords Records(string port) => data.RecordOutputs.GetValueOrDefault(port) ?? new CollectedRecords();

    /// <summary>Files that came out of an output port (copied, since work folders are removed).</summary>
    public IReadOnlyList<CollectedFile> Files(string port) => data.FileOutputs.GetValueOrDefault(port) ?? [];

    /// <summary>Rejected rows that went to the run's error file (the observer saw them).</summary>
    public IReadOnlyList<RejectedRecord> ErrorFileRejects => Observer.Rejected;

    /// <summary>Fails the test with the run's error when the run did not succeed.</summary>
    public HarnessResult AssertSucceeded()
    {
        Assert.True(Run.IsSuccess, $"Run failed: {Run.Error}\n{string.Join("\n", Run.Log)}");
        return this;
    }
}
