using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;
using Xunit.Abstractions;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>
/// The Capillary API block's own cost per bill, with an API that answers at once (a canned v2 answer):
/// what the sink adds on top of the server. Printed (--logger "console;verbosity=detailed"), not
/// asserted; run in Release for real numbers; exclude with --filter "Category!=Benchmark".
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class CapillaryApiThroughputTests(ITestOutputHelper output)
{
    private const int Bills = 100_000;
    private static readonly RecordSchema Lines = new(["bill_number", "bill_date", "mobile", "store_code", "bill_amount", "gross_amount", "discount", "payment_mode",
        "item_code", "item_description", "qty", "rate", "value", "item_discount", "item_amount"]);

    [Fact]
    public async Task CapillaryApi_SendsAHundredThousandBills()
    {
        var data = new HarnessData(Path.Combine(Path.GetTempPath(), "connectplus-tests", "unused"));
        data.RecordInputs["records"] = [.. Payloads().Chunk(1024).Select(chunk => new RecordBatch(PayloadRecord.Schema, chunk))];
        data.Extra[typeof(IConnectionProvider)] = new InMemoryConnectionProvider([ApiSinkTestData.Capillary()]);
        var api = new CannedApi();
        data.Extra[typeof(HttpMessageHandler)] = api;
        using var folder = new TempFolder();
        var dataflow = new DataflowDefinition
        {
            Name = "capillary throughput",
            Nodes =
            [
                new NodeDefinition { Id = "feed", Type = "test-feed-records", Settings = new JsonObject { ["key"] = "records" } },
                new NodeDefinition { Id = "sink", Type = "capillary-api", Settings = new JsonObject { ["connection"] = "brand" } },
                new NodeDefinition { Id = "count", Type = "test-collect-records", Settings = new JsonObject { ["key"] = "succeeded" } },
            ],
            Edges = [EdgeDefinition.Link("feed", "records", "sink", "records"), EdgeDefinition.Link("sink", "succeeded", "count", "records")],
        };
        var options = new RunOptions { WorkRoot = folder["work"], OutputFolder = folder["runs"], Services = data };
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;

        var run = await new DataflowRunner(BlockHarness.Catalog).RunAsync(dataflow, options);

        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Assert.True(run.IsSuccess, run.Error);
        var sink = run.Blocks.Single(b => b.NodeId == "sink");
        Assert.Equal(2 * Bills, sink.RowsOut);
        output.WriteLine($"Capillary API, {Bills:N0} bills ({2 * Bills:N0} source rows), {api.Requests} requests: {sink.Duration.TotalSeconds:0.00} s, " +
            $"{Bills / sink.Duration.TotalSeconds:N0} bills/s, process CPU {cpu.TotalSeconds:0.00} s ({cpu.TotalMicroseconds / Bills:0.0} µs per bill).");
    }

    private static IEnumerable<Record> Payloads()
    {
        var invariant = CultureInfo.InvariantCulture;
        for (var i = 0; i < Bills; i++)
        {
            var bill = "B" + (100_000_000 + i).ToString(invariant);
            Record[] rows =
            [
                new([bill, "2026-11-01 10:15:00", "919876543210", "BLR_014", "1200.00", "1300.00", "100.00", "CardPayment", "SKU-1001", "Basmati rice 5kg", "1", "800.00", "800.00", "50.00", "750.00"], new SourceRef("bills.csv", 2 * i + 2)),
                new([bill, "2026-11-01 10:15:00", "919876543210", "BLR_014", "1200.00", "1300.00", "100.00", "CardPayment", "SKU-2002", "Olive oil 1l", "1", "500.00", "500.00", "50.00", "450.00"], new SourceRef("bills.csv", 2 * i + 3)),
            ];
            var json = $$"""{"identifierType":"mobile","identifierValue":"919876543210","source":"INSTORE","type":"REGULAR","billNumber":"{{bill}}","billingDate":"2026-11-01T10:15:00+05:30","billAmount":1200.00,"grossAmount":1300.00,"discount":100.00,"currencyCode":"INR","lineItemsV2":[{"itemCode":"SKU-1001","description":"Basmati rice 5kg","qty":1,"rate":800.00,"value":800.00,"discount":50.00,"amount":750.00},{"itemCode":"SKU-2002","description":"Olive oil 1l","qty":1,"rate":500.00,"value":500.00,"discount":50.00,"amount":450.00}]}""";
            yield return PayloadRecord.Create(bill, json, Lines, rows);
        }
    }

    /// <summary>Answers tokens and v2 bulk requests at once, with a canned answer per batch size.</summary>
    private sealed class CannedApi : HttpMessageHandler
    {
        private readonly Dictionary<int, byte[]> _answers = [];
        private int _requests;

        public int Requests => _requests;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            if (request.RequestUri!.AbsolutePath.EndsWith("/token/generate", StringComparison.Ordinal))
                return Json("""{"data":{"accessToken":"t","ttlSeconds":3600},"errors":null}"""u8.ToArray());
            Interlocked.Increment(ref _requests);
            var count = body.AsSpan().Count("\"billNumber\""u8);
            byte[] answer;
            lock (_answers)
            {
                if (!_answers.TryGetValue(count, out answer!))
                {
                    var items = string.Join(",", Enumerable.Range(0, count).Select(i =>
                        $$"""{"entityId":{{360744866 + i}},"result":{"sideEffects":[{"type":"points","awardedPoints":120}]},"errors":[],"warnings":[]}"""));
                    _answers[count] = answer = Encoding.UTF8.GetBytes($$"""{"response":[{{items}}],"totalCount":{{count}},"failureCount":0}""");
                }
            }
            return Json(answer);
        }

        private static HttpResponseMessage Json(byte[] body) => new(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
    }
}
