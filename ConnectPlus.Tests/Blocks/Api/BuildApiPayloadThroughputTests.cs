using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Bench.Transactions;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Bench;
using ConnectPlus.Tests.Harness;
using Xunit.Abstractions;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>
/// Throughput of Build API payload over generated bills (the bench's transactions file, grouped by
/// bill into v2 items with line items and payment modes). Printed, not asserted: timing depends on
/// the machine (run with --logger "console;verbosity=detailed"; exclude with --filter "Category!=Benchmark").
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class BuildApiPayloadThroughputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("consecutive")]
    [InlineData("wholeFile")]
    public async Task Build_MakesItemsOfAHundredThousandBills(string groupMode)
    {
        using var folder = new TempFolder();
        var generated = TransactionsGenerator.Generate(new TransactionsOptions { Bills = 100_000, OutputFile = folder["tx.csv"], LinesPerBill = 3, BadShare = 0 }, CancellationToken.None);
        var csv = BenchCsv.Read(folder["tx.csv"]);
        var schema = new RecordSchema(csv.Header);
        var data = new HarnessData(folder["collected"]);
        data.RecordInputs["records"] = [.. csv.Rows.Select((r, i) => new Record([.. r], new SourceRef("tx.csv", i + 2))).Chunk(1024).Select(c => new RecordBatch(schema, c))];
        var suggestion = PayloadMappingSuggester.Suggest(PayloadEndpoint.V2TransactionsBulk, csv.Header);
        var settings = JsonSerializer.SerializeToNode(new { mapping = suggestion.Mapping, groupBy = suggestion.GroupBy, groupMode }, DataflowJson.Options)!.AsObject();
        var dataflow = new DataflowDefinition
        {
            Name = "payload throughput",
            Nodes =
            [
                new NodeDefinition { Id = "feed", Type = "test-feed-records", Settings = new JsonObject { ["key"] = "records" } },
                new NodeDefinition { Id = "payload", Type = "build-api-payload", Settings = settings },
                new NodeDefinition { Id = "collect", Type = "test-collect-records", Settings = new JsonObject { ["key"] = "payloads" } },
            ],
            Edges = [EdgeDefinition.Link("feed", "records", "payload", "records"), EdgeDefinition.Link("payload", "payloads", "collect", "records")],
        };
        var options = new RunOptions { WorkRoot = folder["work"], OutputFolder = folder["runs"], Services = data };

        var run = await new DataflowRunner(BlockHarness.Catalog).RunAsync(dataflow, options);

        Assert.True(run.IsSuccess, run.Error);
        var block = run.Blocks.Single(b => b.NodeId == "payload");
        Assert.Equal(100_000, block.RowsOut);
        Assert.Equal(0, block.Rejected);
        var bytes = data.RecordOutputs["payloads"].Rows.Sum(r => (long)r[1]!.Length);
        output.WriteLine($"Build API payload ({groupMode}), {generated.Rows:N0} rows → 100,000 v2 bills ({bytes / 100_000} chars of JSON each): {block.Duration.TotalSeconds:0.00} s, {generated.Rows / block.Duration.TotalSeconds:N0} rows/s, {100_000 / block.Duration.TotalSeconds:N0} items/s.");
    }
}
