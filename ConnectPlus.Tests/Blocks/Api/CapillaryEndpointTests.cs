using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using static ConnectPlus.Tests.Blocks.Api.ApiSinkTestData;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>Each endpoint's body shape and how its answers become item results.</summary>
public sealed class CapillaryEndpointTests
{
    private static List<Record> Items(params string[] json) =>
        [.. json.Select((j, i) => new Record([$"k{i + 1}", j, null], new SourceRef("items.csv", i + 2)))];

    private static readonly int[] RecoverableWith500 = [500, 502];

    private static object Settings(string endpoint, int batchSize = 100) => new { connection = "brand", endpoint, batchSize };

    [Fact]
    public async Task V11TransactionAdd_WrapsItemsInRoot_AndReadsEachItemStatus()
    {
        var api = new FakeApi
        {
            Answer = (_, _) => FakeApi.Json(201, """
                {"response":{"status":{"success":"false","code":201,"message":"Some requests have failed due to errors"},
                 "transactions":{"transaction":[
                   {"id":11,"number":"B1","customer":{"user_id":5},"side_effects":{"effect":[{"type":"points","awarded_points":50}]},"item_status":{"success":"true","code":600,"message":"Transaction added successfully"}},
                   {"id":null,"number":"B2","item_status":{"success":"false","code":604,"message":"Duplicate bill number"}}]}}}
                """),
        };

        var result = await Sink(Settings("v11TransactionAdd"), api, Items("""{"number":"B1"}""", """{"number":"B2"}""")).RunAsync();

        result.AssertSucceeded();
        var request = Assert.Single(api.ApiRequests);
        Assert.Equal("/v1.1/transaction/add?format=json", request.Path);
        Assert.Equal("""{"root":{"transaction":[{"number":"B1"},{"number":"B2"}]}}""", request.Body);
        var ok = Assert.Single(result.Records("succeeded").Maps);
        Assert.Equal(("k1", "success", "600", "Transaction added successfully", "11", "50"), (ok["payload_key"], ok["api_status"], ok["api_code"], ok["api_message"], ok["entity_id"], ok["points_awarded"]));
        var refused = Assert.Single(result.Records("rejected").Maps);
        Assert.Equal(("k2", "604", "Duplicate bill number"), (refused["payload_key"], refused["error_code"], refused["error_message"]));
    }

    [Fact]
    public async Task V11_ReadsItemsFromA500Answer_InsteadOfRetryingIt()
    {
        var api = new FakeApi
        {
            Answer = (_, _) => FakeApi.Json(500, """
                {"response":{"status":{"success":"false","code":500,"message":"All requests have failed due to errors"},
                 "customers":{"customer":{"user_id":null,"item_status":{"success":false,"code":1001,"message":"Invalid mobile"}}}}}
                """),
        };

        var result = await Sink(new { connection = "brand", endpoint = "v11CustomerAdd", recoverableCodes = RecoverableWith500 }, api, Items("""{"mobile":"x"}""")).RunAsync();

        Assert.Single(api.ApiRequests);
        Assert.Equal("""{"root":{"customer":[{"mobile":"x"}]}}""", api.ApiRequests[0].Body);
        var refused = Assert.Single(result.AssertSucceeded().Records("rejected").Maps);
        Assert.Equal(("1001", "Invalid mobile"), (refused["api_code"], refused["api_message"]));
    }

    [Fact]
    public async Task V11_RejectsTheBatch_WhenTheRequestItselfIsRefused()
    {
        var api = new FakeApi { Answer = (_, _) => FakeApi.Json(400, """{"response":{"status":{"success":"false","code":400,"message":"Input is invalid"}}}""") };

        var result = await Sink(Settings("v11TransactionAdd"), api, Items("{}", "{}")).RunAsync();

        var rejected = result.AssertSucceeded().Records("rejected").Maps;
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, r => Assert.Equal(("400", "The server refused the request: 400 (Input is invalid)."), (r["api_code"], r["api_message"])));
    }

    [Fact]
    public async Task V11PointsRedeem_SendsOneRedemptionPerRequest_AndReadsTheRedemptionId()
    {
        var answers = new[]
        {
            """{"response":{"status":{"success":"true","code":200,"message":"Success"},"responses":{"points":{"points_redeemed":10,"redemption_id":"r-77","item_status":{"success":"true","code":800,"message":"Points redeemed"}}}}}""",
            """{"response":{"status":{"success":"false","code":500,"message":"All requests have failed due to errors"},"responses":{"points":{"redemption_id":null,"item_status":{"success":"false","code":803,"message":"Not enough points"}}}}}""",
        };
        var api = new FakeApi { Answer = (r, _) => FakeApi.Json(200, r.Body.Contains("\"a\"", StringComparison.Ordinal) ? answers[0] : answers[1]) };

        var result = await Sink(new { connection = "brand", endpoint = "v11PointsRedeem", parallelRequests = 1 }, api,
            Items("""{"points_redeemed":10,"transaction_number":"a"}""", """{"points_redeemed":99,"transaction_number":"b"}""")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(2, api.ApiRequests.Count);
        Assert.Equal("""{"root":{"redeem":[{"points_redeemed":10,"transaction_number":"a"}]}}""", api.ApiRequests[0].Body);
        Assert.Equal("r-77", Assert.Single(result.Records("succeeded").Maps)["entity_id"]);
        Assert.Equal("803", Assert.Single(result.Records("rejected").Maps)["api_code"]);
        Assert.Contains(Log(result.Observer, RunLogLevel.Info), m => m.Contains("v11PointsRedeem takes 1 item per request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task V2Customers_SendsOneCustomerPerRequest_AndReadsCreatedIdOrErrors()
    {
        var api = new FakeApi
        {
            Answer = (r, _) => r.Body.Contains("good", StringComparison.Ordinal)
                ? FakeApi.Json(200, """{"createdId":123,"warnings":[{"status":true,"code":8050,"message":"same customer found in other sources, combining"}],"sideEffects":[]}""")
                : FakeApi.Json(400, """{"createdId":null,"errors":[{"status":false,"code":8084,"message":"Customer details not sent"}],"warnings":[]}"""),
        };

        var result = await Sink(Settings("v2Customers", 50), api, Items("""{"name":"good"}""", """{"name":"bad"}""")).RunAsync();

        result.AssertSucceeded();
        Assert.All(api.ApiRequests, r => Assert.Equal("/v2/customers", r.Path));
        Assert.Equal(["""{"name":"bad"}""", """{"name":"good"}"""], api.ApiRequests.Select(r => r.Body).Order());
        var ok = Assert.Single(result.Records("succeeded").Maps);
        Assert.Equal(("123", "8050", "warning: same customer found in other sources, combining"), (ok["entity_id"], ok["api_code"], ok["api_message"]));
        Assert.Equal(("8084", "Customer details not sent"), (Assert.Single(result.Records("rejected").Maps)["api_code"], result.Records("rejected").Maps[0]["api_message"]));
    }

    [Fact]
    public async Task V2CustomersBulk_PostsAnArray_ToItsPath()
    {
        var api = new FakeApi { Answer = (r, _) => FakeApi.V2AllSucceeded(r) };

        var result = await Sink(Settings("v2CustomersBulk"), api, Items("{}", "{}", "{}")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal("/v2/customers/bulk", Assert.Single(api.ApiRequests).Path);
        Assert.Equal(3, result.Records("succeeded").Rows.Count);
    }

    [Fact]
    public async Task V2_RejectsItemsWithANoteThatTheyMayHaveArrived_WhenA200AnswerCannotBeRead()
    {
        var api = new FakeApi { Answer = (_, _) => FakeApi.Json(200, """{"response":[],"totalCount":0}""") };
        var store = new RecordingStore();

        var result = await Sink(Settings("v2TransactionsBulk"), api, Bills(2), checkpoints: store).RunAsync();

        Assert.Single(api.ApiRequests);
        var rejected = result.AssertSucceeded().Records("rejected").Maps;
        Assert.All(rejected, r => Assert.Equal("ANSWER_UNREADABLE", r["api_code"]));
        Assert.StartsWith("The server answered 200 but its answer gives no result for the 2 items", rejected[0]["api_message"], StringComparison.Ordinal);
        Assert.Single(store.Recorded);
    }

    [Fact]
    public async Task V2_RetriesAGatewayPage_ThatIsNotJson()
    {
        var api = new FakeApi
        {
            Answer = (r, n) => n == 0
                ? new HttpResponseMessage(System.Net.HttpStatusCode.BadGateway) { Content = new StringContent("<html>502 Bad Gateway</html>") }
                : FakeApi.V2AllSucceeded(r),
        };

        var result = await Sink(Settings("v2TransactionsBulk"), api, Bills(1)).RunAsync();

        Assert.Equal(2, result.AssertSucceeded().Records("succeeded").Rows.Count);
        Assert.Contains(Log(result.Observer), m => m.Contains("the server answered 502; retry 1", StringComparison.Ordinal));
    }
}
