using System.Text;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;
using static ConnectPlus.Tests.Blocks.Api.PayloadTestData;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>
/// Build API payload → Capillary API in one run: built items go to the sink in memory (their JSON and
/// source rows attached to the payload records), and their text columns are written only when a block
/// other than an API sink reads them too.
/// </summary>
public sealed class PayloadHandOverTests
{
    private static readonly string[] Columns = ["bill", "date", "mobile", "amount", "sku", "qty"];

    private static readonly object Settings = new
    {
        endpoint = "v2TransactionsBulk",
        groupBy = Of("bill"),
        mapping = (PayloadMapping[])[.. V2BillHead(), Map("lineItemsV2[].itemCode", "sku"), Map("lineItemsV2[].qty", "qty")],
    };

    private static readonly string?[][] Lines =
    [
        ["B1", "2025-04-11 11:00:00", "919800000001", "250.50", "s1", "1"],
        ["B1", "2025-04-11 11:00:00", "919800000001", "250.50", "s2", "2.5"],
        ["B2", "2025-04-11 12:00:00", "919800000002", "-0.00", "s3", "007"],
        ["B3", "2025-04-11 13:00:00", "919800000003", "10", "s4", "1e2"],
    ];

    [Fact]
    public async Task Run_HandsItemsToTheSinkInMemory_WithoutWritingTheirText_WhenOnlyApiSinksReadThem()
    {
        var (api, run) = await RunAsync(extraReceiver: "test-collect-payload-items");

        Assert.Equal(RunOutcome.Succeeded, run.Result.Outcome);
        var items = run.Data.RecordOutputs["items"].Rows;
        Assert.Equal(3, items.Count);
        Assert.All(items, r => Assert.Null(r.Values[1]));
        Assert.All(items, r => Assert.Null(r.Values[2]));
        var first = Assert.IsType<PayloadItem>(items[0].Attachment);
        Assert.Equal([2L, 3L], first.SourceRows.Select(r => r.Source.Line));
        Assert.Equal("B1", first.SourceRows[1].Values[0]);
        AssertSentAndReported(api, run.Data);
    }

    [Fact]
    public async Task Run_WritesTheItemsText_WhenAnotherBlockReadsThePayloadsToo_AndTheSinkSendsTheSame()
    {
        var (api, run) = await RunAsync(extraReceiver: "test-collect-records");

        Assert.Equal(RunOutcome.Succeeded, run.Result.Outcome);
        var items = run.Data.RecordOutputs["items"].Rows;
        Assert.Equal(3, items.Count);
        foreach (var item in items)
        {
            var attached = Assert.IsType<PayloadItem>(item.Attachment);
            Assert.Equal(Encoding.UTF8.GetString(attached.Json), item.Values[1]);
            var fromText = PayloadRecord.ReadSourceRows(PayloadRecord.Schema, item).Rows;
            Assert.Equal(attached.SourceRows.Select(r => (r.Source, string.Join("|", r.Values))), fromText.Select(r => (r.Source, string.Join("|", r.Values))));
        }
        AssertSentAndReported(api, run.Data);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("10", true)]
    [InlineData("250.50", true)]
    [InlineData("-3.25", true)]
    [InlineData("-0", false)]
    [InlineData("-0.00", false)]
    [InlineData("007", false)]
    [InlineData("1e2", false)]
    [InlineData("1.", false)]
    [InlineData(".5", false)]
    [InlineData("+5", false)]
    [InlineData(" 5", false)]
    [InlineData("1,000", false)]
    [InlineData("123456789012345678901", false)]
    public void IsPlainNumber_TakesOnlyWhatADecimalWritesBackUnchanged(string text, bool plain)
    {
        Assert.Equal(plain, PayloadValueConverter.IsPlainNumber(text, whole: false));
        if (plain) Assert.Equal(text, decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("12", true)]
    [InlineData("-12", true)]
    [InlineData("12.0", false)]
    public void IsPlainNumber_ForWholeNumbers_TakesNoFraction(string text, bool plain) =>
        Assert.Equal(plain, PayloadValueConverter.IsPlainNumber(text, whole: true));

    /// <summary>What reached the API and the success rows are the same whichever way the items travelled.</summary>
    private static void AssertSentAndReported(FakeApi api, HarnessData data)
    {
        var sent = api.ApiRequests.SelectMany(r => r.Json.AsArray()).Select(b => b!).OrderBy(b => (string?)b["billNumber"]).ToList();
        Assert.Equal(["B1", "B2", "B3"], sent.Select(b => (string?)b["billNumber"]));
        // Plain numbers are sent as they came; others as the decimal they read as.
        Assert.Equal("250.50", (string?)sent[0]["billAmount"]);
        Assert.Equal("2.5", sent[0]["lineItemsV2"]![1]!["qty"]!.ToJsonString());
        Assert.Equal("0.00", (string?)sent[1]["billAmount"]);
        Assert.Equal("7", sent[1]["lineItemsV2"]![0]!["qty"]!.ToJsonString());
        Assert.Equal("100", sent[2]["lineItemsV2"]![0]!["qty"]!.ToJsonString());
        Assert.Equal("2025-04-11T11:00:00", (string?)sent[0]["billingDate"]);
        var succeeded = data.RecordOutputs["succeeded"];
        Assert.Equal([.. Columns, .. CapillaryApiBlock.ResultColumns], succeeded.Schema!.Columns);
        Assert.Equal(["s1", "s2", "s3", "s4"], succeeded.Column("sku"));
        Assert.Equal([2L, 3L, 4L, 5L], succeeded.Rows.Select(r => r.Source.Line));
        Assert.All(succeeded.Column("api_status"), s => Assert.Equal(ApiResultWriter.Success, s));
    }

    private static async Task<(FakeApi Api, (RunResult Result, HarnessData Data) Run)> RunAsync(string extraReceiver)
    {
        using var folder = new TempFolder();
        var api = new FakeApi();
        var data = new HarnessData(folder["out"]);
        var schema = new RecordSchema(Columns);
        data.RecordInputs["lines"] = [new RecordBatch(schema, [.. Lines.Select((values, i) => new Record(values, new SourceRef("bills.csv", i + 2)))])];
        data.Extra[typeof(IConnectionProvider)] = new InMemoryConnectionProvider([ApiSinkTestData.Capillary()]);
        data.Extra[typeof(HttpMessageHandler)] = api;
        var build = BlockHarness.Catalog.Find("build-api-payload")!;
        var dataflow = new DataflowDefinition
        {
            Name = "hand-over",
            Nodes =
            [
                Node("feed", "test-feed-records", new JsonObject { ["key"] = "lines" }),
                Node("build", "build-api-payload", System.Text.Json.JsonSerializer.SerializeToNode(Settings, DataflowJson.Options)!.AsObject(), build.Version),
                Node("send", "capillary-api", new JsonObject { ["connection"] = "brand", ["batchSize"] = 2, ["parallelRequests"] = 1 }),
                Node("items", extraReceiver, new JsonObject { ["key"] = "items" }),
                Node("ok", "test-collect-records", new JsonObject { ["key"] = "succeeded" }),
            ],
            Edges =
            [
                EdgeDefinition.Link("feed", "records", "build", "records"),
                EdgeDefinition.Link("build", "payloads", "send", "records"),
                EdgeDefinition.Link("build", "payloads", "items", "records"),
                EdgeDefinition.Link("send", "succeeded", "ok", "records"),
            ],
        };
        var result = await new DataflowRunner(BlockHarness.Catalog).RunAsync(dataflow,
            new RunOptions { WorkRoot = folder["work"], OutputFolder = folder["runs"], Services = data, Time = new InstantTime() }, new RecordingObserver());
        return (api, (result, data));
    }

    private static NodeDefinition Node(string id, string type, JsonObject settings, int version = 1) =>
        new() { Id = id, Type = type, Version = version, Settings = settings };
}

/// <summary>Test block: keeps the payload records it receives, and reads them as an API sink does (by their attached item).</summary>
[Block("test-collect-payload-items", 1, "Test collect payload items", BlockCategory.Destinations)]
[Input("records", PortKind.Records)]
public sealed class CollectPayloadItemsBlock : Block<HarnessSlotSettings>, IPayloadItemReceiver
{
    bool IPayloadItemReceiver.ReadsPayloadItems(string port) => port == "records";

    public override Task RunAsync(BlockContext context, CancellationToken cancellationToken) =>
        CollectRecordsBlock.CollectAsync(context, Settings.Key, cancellationToken);
}

/// <summary>The fast paths for the usual input and v2 output date formats give exactly what the general formats give.</summary>
public sealed class PayloadDatesFastPathTests
{
    private static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;

    [Theory]
    [InlineData("2026-10-28 00:00:02")]
    [InlineData("2024-02-29 23:59:59")]
    [InlineData("0001-01-01 00:00:00")]
    [InlineData("9999-12-31 23:59:59")]
    [InlineData("2023-02-29 10:00:00")]
    [InlineData("2024-13-01 10:00:00")]
    [InlineData("2024-00-10 10:00:00")]
    [InlineData("2024-04-31 10:00:00")]
    [InlineData("0000-01-01 00:00:00")]
    [InlineData("2024-01-01 24:00:00")]
    [InlineData("2024-01-01 23:60:00")]
    [InlineData("2024-01-01 23:59:60")]
    [InlineData("2024-1-01 10:00:00")]
    [InlineData("2024-01-01T10:00:00")]
    [InlineData(" 2024-01-01 10:00:00")]
    [InlineData("2024-01-01 10:00:0x")]
    [InlineData("２０２４-01-01 10:00:00")]
    public void TryParsePlain_AgreesWithTryParseExact_OrLeavesTheTextToIt(string text)
    {
        var exact = DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", Invariant, System.Globalization.DateTimeStyles.AllowWhiteSpaces | System.Globalization.DateTimeStyles.RoundtripKind, out var expected);

        var plain = PayloadDates.TryParsePlain(text, out var got);

        if (plain)
        {
            Assert.True(exact, $"the fast path read '{text}', which the format refuses");
            Assert.Equal(expected, got);
            Assert.Equal(expected.Kind, got.Kind);
        }
        // Whatever the format reads (with white space too), the block reads to the same time.
        if (!exact) return;
        Assert.True(new PayloadDates([], null).TryParse(text, out var read));
        Assert.Equal(expected, read.WallClock);
        Assert.Null(read.Offset);
    }

    [Theory]
    [InlineData("Asia/Kolkata", "2026-10-28 00:00:02")]
    [InlineData("Asia/Kathmandu", "2026-03-01 12:30:45")]
    [InlineData("America/St_Johns", "2026-07-01 08:05:09")]
    [InlineData("America/New_York", "2026-03-08 01:59:59")]
    [InlineData("America/New_York", "2026-11-01 01:30:00")]
    [InlineData("UTC", "0999-05-06 07:08:09")]
    public void Format_WritesV2DatesAsDateTimeOffsetWould(string zoneName, string text)
    {
        Assert.True(PayloadDates.TryFindZone(zoneName, out var zone));
        var dates = new PayloadDates([], zone);
        Assert.True(dates.TryParse(text, out var date));
        var wall = date.WallClock;
        var expected = new DateTimeOffset(wall, zone!.GetUtcOffset(wall)).ToString(PayloadTemplates.V2DateTimeFormat, Invariant);

        Assert.Equal(expected, dates.Format(date, PayloadTemplates.V2DateTimeFormat));
    }

    [Fact]
    public void TryFormatV2_WritesNegativeAndZeroOffsets_AndLeavesOddOnesToTheGeneralPath()
    {
        var wall = new DateTime(2026, 1, 2, 3, 4, 5);
        Assert.Equal("2026-01-02T03:04:05-03:30", PayloadDates.TryFormatV2(wall, new TimeSpan(-3, -30, 0)));
        Assert.Equal("2026-01-02T03:04:05+00:00", PayloadDates.TryFormatV2(wall, TimeSpan.Zero));
        Assert.Null(PayloadDates.TryFormatV2(wall, TimeSpan.FromSeconds(30)));
    }
}
