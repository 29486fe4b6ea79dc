using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Tests.Blocks.Join;

/// <summary>Settings of <see cref="FailingRecordsBlock"/>.</summary>
public sealed class FailingRecordsSettings
{
    /// <summary>Batches of one row written before the failure.</summary>
    public int BatchesBeforeFailure { get; set; }
}

/// <summary>Test block: writes a few batches, then fails (an upstream failure as a join sees it).</summary>
[Block("test-join-failing-records", 1, "Test failing records", BlockCategory.Sources)]
[Output("records", PortKind.Records)]
public sealed class FailingRecordsBlock : Block<FailingRecordsSettings>
{
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        var schema = new RecordSchema(["id", "value"]);
        for (var i = 0; i < Settings.BatchesBeforeFailure; i++)
        {
            var row = new Record([$"{i}", $"v{i}"], new SourceRef("failing.csv", i + 2));
            await context.WriteAsync("records", new RecordBatch(schema, [row]), cancellationToken);
        }
        throw new InvalidOperationException("The test source failed on purpose.");
    }
}
