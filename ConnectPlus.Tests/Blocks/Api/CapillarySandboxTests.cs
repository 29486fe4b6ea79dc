using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Capillary;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Tests.Sandbox;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>The Capillary API block against the app's own Capillary sandbox (in memory), as a brand's API would answer.</summary>
public sealed class CapillarySandboxTests : IClassFixture<SandboxFactory>, IDisposable
{
    private const string BaseUrl = "http://localhost/sandbox/capillary";
    private readonly SandboxFactory _sandbox;
    private readonly SandboxApi _api;
    private readonly HttpMessageHandler _handler;

    public CapillarySandboxTests(SandboxFactory sandbox)
    {
        _sandbox = sandbox;
        _sandbox.Reset();
        _api = sandbox.Api();
        _handler = sandbox.Server.CreateHandler();
    }

    public void Dispose()
    {
        _api.Dispose();
        _handler.Dispose();
    }

    private static ConnectionDefinition OAuth(string secret = "sandbox-secret") => new()
    {
        Name = "sandbox",
        Type = "capillary",
        Settings = new JsonObject { ["baseUrl"] = BaseUrl, ["auth"] = "oauth", ["clientKey"] = "sandbox-key", ["clientSecret"] = secret },
    };

    private static ConnectionDefinition Till() => new()
    {
        Name = "sandbox",
        Type = "capillary",
        Settings = new JsonObject { ["baseUrl"] = BaseUrl, ["auth"] = "basic", ["tillUsername"] = "store.server", ["password"] = "server123" },
    };

    /// <summary>One payload record per bill, each from one source row (bill, mobile, amount) of bills.csv.</summary>
    private static List<Record> Bills(IEnumerable<(string Bill, string Mobile, decimal Amount)> bills, Func<string, string, decimal, string>? json = null)
    {
        var schema = new RecordSchema(["bill", "mobile", "amount"]);
        return [.. bills.Select((b, i) => PayloadRecord.Create(b.Bill, (json ?? ((n, m, a) => SandboxApi.Bill(n, m, a)))(b.Bill, b.Mobile, b.Amount), schema,
            [new Record([b.Bill, b.Mobile, b.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)], new SourceRef("bills.csv", i + 2))]))];
    }

    private BlockHarness Sink(object settings, IEnumerable<Record> records, ConnectionDefinition? connection = null) =>
        BlockHarness.For("capillary-api", settings)
            .WithRecords("records", PayloadRecord.Schema, records)
            .WithService<IConnectionProvider>(new InMemoryConnectionProvider([connection ?? OAuth()]))
            .WithService<HttpMessageHandler>(_handler)
            .WithTime(new InstantTime());

    private async Task<Dictionary<string, int>> BillCountsAsync()
    {
        var all = (await _api.GetAsync("/_state/bills?take=10000")).Json.GetProperty("bills");
        return all.EnumerateArray().GroupBy(b => b.GetProperty("billNumber").GetString()!).ToDictionary(g => g.Key, g => g.Count());
    }

    [Fact]
    public async Task V2Bulk_DeliversBills_AndReportsTheSandboxesIdsPointsAndRefusals()
    {
        await _api.AddCustomerAsync("919800000001");
        await _api.AddCustomerAsync("919800000002");
        var bills = Bills([("s-1", "919800000001", 6000m), ("s-2", "919800000002", 125m), ("s-3", "919899999999", 10m), ("s-1", "919800000001", 6000m), ("s-4", "919800000001", -5m)]);

        // One request at a time: the duplicate s-1 must reach the sandbox after the first.
        var result = await Sink(new { connection = "sandbox", batchSize = 2, parallelRequests = 1 }, bills).RunAsync();

        result.AssertSucceeded();
        var succeeded = result.Records("succeeded").Maps;
        Assert.Equal(["s-1", "s-2"], succeeded.Select(r => r["bill"]));
        Assert.Equal(["600", "12"], succeeded.Select(r => r["points_awarded"]));
        var stored = (await _api.BillsAsync("s-1")).GetProperty("bills")[0];
        Assert.Equal(stored.GetProperty("id").GetRawText(), succeeded[0]["entity_id"]);
        var rejected = result.Records("rejected").Maps;
        Assert.Equal([("s-3", "8015"), ("s-1", "604"), ("s-4", "631")], rejected.Select(r => (r["bill"], r["api_code"])));
        Assert.All(rejected, r => Assert.False(string.IsNullOrEmpty(r["api_message"])));
        Assert.Equal(new Dictionary<string, int> { ["s-1"] = 1, ["s-2"] = 1 }, await BillCountsAsync());
    }

    [Fact]
    public async Task V2Bulk_DeliversEveryBillExactlyOnce_ThroughGatewayErrors429sAndLostAnswers()
    {
        await _api.AddCustomerAsync("919800000001");
        var numbers = Enumerable.Range(1, 300).Select(i => $"x-{i}").ToList();
        _sandbox.Faults = _sandbox.Faults with { ServerErrorShare = 0.2, TooManyRequestsShare = 0.2, LostResponseShare = 0.3, Seed = 11 };

        var result = await Sink(new { connection = "sandbox", batchSize = 10, maxRetries = 12 }, Bills(numbers.Select(n => (n, "919800000001", 100m)))).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(RunOutcome.Succeeded, result.Run.Outcome);
        var counts = await BillCountsAsync();
        Assert.Equal(numbers.Order(StringComparer.Ordinal), counts.Keys.Order(StringComparer.Ordinal));
        Assert.All(counts.Values, c => Assert.Equal(1, c));
        var statuses = result.Records("succeeded").Column("api_status");
        Assert.Equal(300, statuses.Count);
        Assert.Contains("already_delivered", statuses);
        Assert.Contains(ApiSinkTestData.Log(result.Observer), m => m.Contains("already delivered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task V11TransactionAdd_WithTheTillUser_RegistersCustomersAndAddsBills()
    {
        static string V11(string bill, string mobile, decimal amount) =>
            $$$"""{"type":"regular","number":"{{{bill}}}","amount":"{{{amount}}}","billing_time":"2025-04-01","customer":{"mobile":"{{{mobile}}}","firstname":"Tom"}}""";
        var bills = Bills([("v-1", "919700000001", 100m), ("v-2", "919700000002", 50m), ("v-1", "919700000001", 100m)], V11);

        var result = await Sink(new { connection = "sandbox", endpoint = "v11TransactionAdd" }, bills, Till()).RunAsync();

        result.AssertSucceeded();
        Assert.Equal([("v-1", "600", "10"), ("v-2", "600", "5")], result.Records("succeeded").Maps.Select(r => (r["bill"], r["api_code"], r["points_awarded"])));
        Assert.Equal(("v-1", "604"), (result.Records("rejected").Maps[0]["bill"], result.Records("rejected").Maps[0]["api_code"]));
        Assert.Equal(2, (await _api.StateAsync()).GetProperty("customers").GetInt32());
    }

    [Fact]
    public async Task Run_Fails_WithTheSandboxesMessage_WhenTheSecretIsWrong()
    {
        var result = await Sink(new { connection = "sandbox" }, Bills([("w-1", "919800000001", 1m)]), OAuth(secret: "nope")).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("(HTTP 401): access forbidden.", result.Run.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await _api.StateAsync()).GetProperty("bills").GetInt32());
    }

    [Fact]
    public async Task TestConnection_SignsInToTheSandbox()
    {
        var settings = (CapillaryConnectionSettings)ConnectionCatalog.Default.Bind(OAuth());
        using var client = new CapillaryClient("sandbox", settings, _handler);

        await client.TestAsync(CancellationToken.None);

        Assert.Equal(1, client.TokensIssued);
    }

    [Fact]
    public async Task V2Bulk_HonoursTheSandboxesRateLimit_ByWaitingForRetryAfter()
    {
        await _api.AddCustomerAsync("919800000001");
        _sandbox.Faults = _sandbox.Faults with { RateLimitPerMinute = 3 };
        // The sandbox counts calls per minute of its own clock: it moves on as much as the sink waits.
        var time = new InstantTime { OnWait = wait => _sandbox.Time.Advance(wait) };
        var harness = Sink(new { connection = "sandbox", batchSize = 1, parallelRequests = 1 }, Bills(Enumerable.Range(1, 5).Select(i => ($"r-{i}", "919800000001", 10m))))
            .WithTime(time);

        var result = await harness.RunAsync();

        result.AssertSucceeded();
        Assert.Equal(5, result.Records("succeeded").Rows.Count);
        Assert.Equal([TimeSpan.FromSeconds(60)], time.Waits);
        Assert.Equal(5, (await BillCountsAsync()).Count);
    }

    [Fact]
    public async Task Run_SendsAReadyMadePayloadColumn_AsItIs()
    {
        await _api.AddCustomerAsync("919800000001");
        var bill = SandboxApi.Bill("raw-1", "919800000001");
        var record = new Record(["raw-1", bill, null], new SourceRef("ready.csv", 2));

        var result = await Sink(new { connection = "sandbox" }, [record]).RunAsync();

        result.AssertSucceeded();
        var logged = (await _api.GetAsync("/_state/requests?take=1")).Json.GetProperty("requests")[0];
        Assert.Equal(("/v2/transactions/bulk", 1), (logged.GetProperty("endpoint").GetString(), logged.GetProperty("itemCount").GetInt32()));
        var item = logged.GetProperty("items")[0];
        Assert.Equal(("raw-1", 600), (item.GetProperty("key").GetString(), item.GetProperty("code").GetInt32()));
        Assert.Equal("raw-1", Assert.Single(result.Records("succeeded").Maps)["payload_key"]);
    }
}
