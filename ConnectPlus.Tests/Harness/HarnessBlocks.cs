using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Tests.Harness;

/// <summary>Settings of the harness's feeding and collecting blocks: which slot of <see cref="HarnessData"/> they use.</summary>
public sealed class HarnessSlotSettings
{
    public string Key { get; set; } = "";
}

/// <summary>Test block: emits the record batches registered under its key.</summary>
[Block("test-feed-records", 1, "Test feed records", BlockCategory.Sources)]
[Output("records", PortKind.Records)]
public sealed class FeedRecordsBlock : Block<HarnessSlotSettings>
{
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        var data = HarnessData.From(context);
        foreach (var batch in data.RecordInputs[Settings.Key])
            await context.WriteAsync("records", batch, cancellationToken);
    }
}

/// <summary>Test block: emits the files registered under its key.</summary>
[Block("test-feed-files", 1, "Test feed files", BlockCategory.Sources)]
[Output("files", PortKind.Files)]
public sealed class FeedFilesBlock : Block<HarnessSlotSettings>
{
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        var data = HarnessData.From(context);
        foreach (var file in data.FileInputs[Settings.Key])
            await context.WriteAsync("files", file, cancellationToken);
    }
}

/// <summary>Test block: keeps every row it receives under its key.</summary>
[Block("test-collect-records", 1, "Test collect records", BlockCategory.Destinations)]
[Input("records", PortKind.Records)]
public sealed class CollectRecordsBlock : Block<HarnessSlotSettings>
{
    public override Task RunAsync(BlockContext context, CancellationToken cancellationToken) => CollectAsync(context, Settings.Key, cancellationToken);

    /// <summary>Keeps every batch arriving on input "records" under <paramref name="key"/>.</summary>
    internal static async Task CollectAsync(BlockContext context, string key, CancellationToken cancellationToken)
    {
        var sink = HarnessData.From(context).RecordOutputs.GetOrAdd(key, _ => new CollectedRecords());
        await foreach (var batch in context.ReadRecordsAsync("records", cancellationToken))
            sink.Add(batch);
    }
}

/// <summary>Test block: copies every file it receives into the harness output folder (work folders vanish after the run).</summary>
[Block("test-collect-files", 1, "Test collect files", BlockCategory.Destinations)]
[Input("files", PortKind.Files)]
public sealed class CollectFilesBlock : Block<HarnessSlotSettings>
{
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        var data = HarnessData.From(context);
        var folder = Path.Combine(data.OutputFolder, Settings.Key);
        Directory.CreateDirectory(folder);
        var list = data.FileOutputs.GetOrAdd(Settings.Key, _ => []);
        await foreach (var file in context.ReadFilesAsync("files", cancellationToken))
        {
            var target = Path.Combine(folder, file.Name);
            await using (var source = await file.OpenReadAsync(cancellationToken))
            await using (var copy = File.Create(target))
                await source.CopyToAsync(copy, cancellationToken);
            lock (list) list.Add(new CollectedFile(file, target));
        }
    }
}
