using System.Collections.Concurrent;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Tests.Harness;

/// <summary>What the harness feeds into a run and what it collected, shared with the harness blocks through RunOptions.Services.</summary>
public sealed class HarnessData(string outputFolder) : IServiceProvider
{
    public string OutputFolder { get; } = outputFolder;
    public Dictionary<string, List<RecordBatch>> RecordInputs { get; } = [];
    public Dictionary<string, List<FileItem>> FileInputs { get; } = [];
    public ConcurrentDictionary<string, CollectedRecords> RecordOutputs { get; } = new();
    public ConcurrentDictionary<string, List<CollectedFile>> FileOutputs { get; } = new();

    /// <summary>Further services a test wants blocks to see.</summary>
    public Dictionary<Type, object> Extra { get; } = [];

    public object? GetService(Type serviceType) =>
        serviceType == typeof(HarnessData) ? this : Extra.GetValueOrDefault(serviceType);

    public static HarnessData From(BlockContext context) =>
        (HarnessData)(context.Services?.GetService(typeof(HarnessData)) ?? throw new InvalidOperationException("Not a harness run."));
}

/// <summary>Rows collected from one output port.</summary>
public sealed class CollectedRecords
{
    private readonly Lock _lock = new();
    private readonly List<RecordBatch> _batches = [];

    public void Add(RecordBatch batch)
    {
        lock (_lock) _batches.Add(batch);
    }

    public IReadOnlyList<RecordBatch> Batches
    {
        get { lock (_lock) return [.. _batches]; }
    }

    public RecordSchema? Schema => Batches is [var first, ..] ? first.Schema : null;

    public IReadOnlyList<Record> Rows => [.. Batches.SelectMany(b => b.Rows)];

    /// <summary>Rows as dictionaries by column name (handy in assertions).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string?>> Maps =>
        [.. Batches.SelectMany(b => b.Rows.Select(r => (IReadOnlyDictionary<string, string?>)b.Schema.Columns
            .Select((c, i) => (c, v: r[i])).ToDictionary(x => x.c, x => x.v)))];

    /// <summary>One column's values in order.</summary>
    public IReadOnlyList<string?> Column(string name) =>
        [.. Batches.SelectMany(b => b.Rows.Select(r => r[b.Schema.IndexOf(name)]))];
}

/// <summary>A file collected from an output port: the item as it arrived and a copy of its content.</summary>
public sealed record CollectedFile(FileItem Item, string CopyPath)
{
    public string ReadText() => File.ReadAllText(CopyPath);
}
