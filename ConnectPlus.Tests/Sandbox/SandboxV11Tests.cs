using System.Net;

namespace ConnectPlus.Tests.Sandbox;

public sealed class SandboxV11Tests : IClassFixture<SandboxFactory>, IDisposable
{
    private readonly SandboxApi _api;

    public SandboxV11Tests(SandboxFactory factory)
    {
        factory.Reset();
        _api = factory.Api();
    }

    public void Dispose() => _api.Dispose();

    private static string Transaction(string number, string mobile, string amount = "5000", string type = "regular", string billingTime = "2018-04-01") => $$$"""
        {"type":"{{{type}}}","number":"{{{number}}}","amount":"{{{amount}}}","billing_time":"{{{billingTime}}}",
         "customer":{"mobile":"{{{mobile}}}","email":"","external_id":"","firstname":"Tom","lastname":"Sawyer"},
         "payment_details":{"payment":[{"mode":"CASH","value":"100"}]},
         "extended_fields":{"field":[{"name":"cashier_id","value":"1"}]},
         "custom_fields":{"field":[{"name":"Bank","value":"SBI"}]},
         "line_items":{"line_item":[{"serial":"1","item_code":"sku1","qty":"1","rate":"500","value":"500","amount":"500"}]}}
        """;

    private Task<SandboxAnswer> AddTransactionsAsync(params string[] transactions) =>
        _api.PostAsync("/v1.1/transaction/add?format=json", $$$"""{"root":{"transaction":[{{{string.Join(",", transactions)}}}]}}""");

    private static JsonStatus Status(SandboxAnswer answer) => new(answer.Json.GetProperty("response").GetProperty("status"));

    private sealed record JsonStatus(System.Text.Json.JsonElement Element)
    {
        public string Success => Element.GetProperty("success").GetString()!;
        public int Code => Element.GetProperty("code").GetInt32();
    }

    [Fact]
    public async Task TransactionAdd_Answers200With600_AndAutoRegistersTheCustomer()
    {
        var answer = await AddTransactionsAsync(Transaction("BILL99", "919999000000"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(("true", 200), (Status(answer).Success, Status(answer).Code));
        var item = answer.V11Item("transactions", "transaction", 0);
        Assert.Equal("true", item.GetProperty("item_status").GetProperty("success").GetString());
        Assert.Equal(600, item.GetProperty("item_status").GetProperty("code").GetInt32());
        Assert.Equal(500, item.GetProperty("side_effects").GetProperty("effect")[0].GetProperty("awarded_points").GetInt64());
        Assert.Equal(500, item.GetProperty("customer").GetProperty("loyalty_points").GetInt64());
        var customer = (await _api.GetAsync("/_state/customers?identifierType=mobile&identifierValue=919999000000")).Json;
        Assert.Equal("v1.1/transaction/add", customer.GetProperty("registeredBy").GetString());
        Assert.Equal("Sawyer", customer.GetProperty("lastName").GetString());
    }

    [Fact]
    public async Task TransactionAdd_AcceptsOneObjectForAOneElementList()
    {
        var answer = await _api.PostAsync("/v1.1/transaction/add?format=json", $$$"""{"root":{"transaction":{{{Transaction("ONE-1", "919999000001")}}}}}""");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    [Fact]
    public async Task TransactionAdd_Answers201_WhenSomeFail_And500_WhenAllFail()
    {
        var some = await AddTransactionsAsync(Transaction("P-1", "919999000002"), Transaction("P-2", "919999000002", amount: "-1"));
        var all = await AddTransactionsAsync(Transaction("P-1", "919999000002"), Transaction("P-3", "919999000002", type: "Regular"));

        Assert.Equal(HttpStatusCode.Created, some.Status);
        Assert.Equal(201, Status(some).Code);
        Assert.Equal(631, some.V11Item("transactions", "transaction", 1).GetProperty("item_status").GetProperty("code").GetInt32());
        Assert.Equal(HttpStatusCode.InternalServerError, all.Status);
        Assert.Equal(("false", 500), (Status(all).Success, Status(all).Code));
        Assert.Equal(604, all.V11Item("transactions", "transaction", 0).GetProperty("item_status").GetProperty("code").GetInt32());
        Assert.Equal(9001, all.V11Item("transactions", "transaction", 1).GetProperty("item_status").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task TransactionAdd_SharesDuplicateDetectionWithV2()
    {
        await AddTransactionsAsync(Transaction("X-1", "919999000003"));

        var v2 = await _api.PostBillsAsync(SandboxApi.Bill("X-1", "919999000003"));

        Assert.Equal(604, v2.V2ErrorCode(0));
    }

    [Theory]
    [InlineData("2018-04-01 10:30:00", 600)]
    [InlineData("2018-04-01T10:30:00+05:30", 600)]
    [InlineData("01-04-2018", 621)]
    public async Task TransactionAdd_ReadsDocumentedDateForms(string billingTime, int code)
    {
        var answer = await AddTransactionsAsync(Transaction("D-" + code + billingTime.Length, "919999000004", billingTime: billingTime));

        Assert.Equal(code, answer.V11Item("transactions", "transaction", 0).GetProperty("item_status").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task TransactionAdd_Refuses8084_ForARegularBillWithoutCustomer()
    {
        var answer = await AddTransactionsAsync("""{"type":"regular","number":"NC-1","amount":"10","customer":{"mobile":""}}""");

        Assert.Equal(8084, answer.V11Item("transactions", "transaction", 0).GetProperty("item_status").GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData("""{"transactions":[]}""")]
    [InlineData("""{"root":{}}""")]
    [InlineData("""[1,2]""")]
    public async Task TransactionAdd_Answers400_WhenThereIsNoRootTransaction(string body)
    {
        var answer = await _api.PostAsync("/v1.1/transaction/add?format=json", body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(("false", 400), (Status(answer).Success, Status(answer).Code));
    }

    [Fact]
    public async Task TransactionAdd_Answers400_ForFormatXml()
    {
        var answer = await _api.PostAsync("/v1.1/transaction/add?format=xml", $$$"""{"root":{"transaction":[{{{Transaction("XML-1", "919999000005")}}}]}}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
    }

    [Fact]
    public async Task CustomerAdd_Answers1000_ForNewAndKnownCustomers_AndUpdatesTheProfile()
    {
        var added = await _api.PostAsync("/v1.1/customer/add", """{"root":{"customer":[{"mobile":"919999100000","firstname":"Tom","registered_on":"2024-07-29 11:11:11","type":"LOYALTY"}]}}""");
        var updated = await _api.PostAsync("/v1.1/customer/add", """{"root":{"customer":[{"mobile":"919999100000","email":"tom@example.com","lastname":"Sawyer"}]}}""");

        var item = added.V11Item("customers", "customer", 0);
        Assert.Equal(1000, item.GetProperty("item_status").GetProperty("code").GetInt32());
        Assert.Equal(1000, updated.V11Item("customers", "customer", 0).GetProperty("item_status").GetProperty("code").GetInt32());
        Assert.Equal(item.GetProperty("user_id").GetInt64(), updated.V11Item("customers", "customer", 0).GetProperty("user_id").GetInt64());
        var customer = (await _api.GetAsync("/_state/customers?identifierType=email&identifierValue=tom@example.com")).Json;
        Assert.Equal(("Tom", "Sawyer"), (customer.GetProperty("firstName").GetString(), customer.GetProperty("lastName").GetString()));
    }

    [Theory]
    [InlineData("""{"firstname":"Nobody"}""", 1007)]
    [InlineData("""{"mobile":"12"}""", 1001)]
    [InlineData("""{"email":"a@b"}""", 1002)]
    [InlineData("""{"mobile":"919999100001","type":"loyalty"}""", 9001)]
    [InlineData("""{"mobile":"919999100001","registered_on":"29/07/2024"}""", 9002)]
    public async Task CustomerAdd_RefusesBadCustomers(string customer, int code)
    {
        var answer = await _api.PostAsync("/v1.1/customer/add", $$$"""{"root":{"customer":[{{{customer}}}]}}""");

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal(code, answer.V11Item("customers", "customer", 0).GetProperty("item_status").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task CustomerAdd_FailsEveryItemWith1060_OverTheBatchLimit()
    {
        var customers = string.Join(",", Enumerable.Range(0, 101).Select(i => $$$"""{"mobile":"9198000{{{i:D5}}}"}"""));

        var answer = await _api.PostAsync("/v1.1/customer/add", $$$"""{"root":{"customer":[{{{customers}}}]}}""");

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal(1060, answer.V11Item("customers", "customer", 100).GetProperty("item_status").GetProperty("code").GetInt32());
        Assert.Equal(0, (await _api.StateAsync()).GetProperty("customers").GetInt32());
    }

    [Fact]
    public async Task PointsRedeem_Answers800WithARedemptionId_AndLowersTheBalance()
    {
        await AddTransactionsAsync(Transaction("R-1", "919999200000", amount: "1000"));

        var answer = await Redeem("919999200000", "30");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var points = answer.Json.GetProperty("response").GetProperty("responses").GetProperty("points");
        Assert.Equal(800, points.GetProperty("item_status").GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrEmpty(points.GetProperty("redemption_id").GetString()));
        Assert.Equal(70, points.GetProperty("balance").GetInt64());
        Assert.Equal(30, (await _api.StateAsync()).GetProperty("pointsRedeemed").GetInt64());
    }

    [Fact]
    public async Task PointsRedeem_Refuses803_WhenTheBalanceIsTooLow()
    {
        await AddTransactionsAsync(Transaction("R-2", "919999200001", amount: "100"));

        var answer = await Redeem("919999200001", "11");

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal(803, RedeemCode(answer));
        Assert.Equal(0, (await _api.StateAsync()).GetProperty("pointsRedeemed").GetInt64());
    }

    [Theory]
    [InlineData("919999299999", "10", 816)]
    [InlineData("919999200002", "0", 801)]
    [InlineData("919999200002", "2.5", 801)]
    [InlineData("", "10", 802)]
    public async Task PointsRedeem_RefusesUnknownCustomersAndBadPoints(string mobile, string points, int code)
    {
        await AddTransactionsAsync(Transaction("R-3", "919999200002", amount: "1000"));

        var answer = await Redeem(mobile, points);

        Assert.Equal(code, RedeemCode(answer));
    }

    [Fact]
    public async Task PointsRedeem_Answers400_ForMoreThanOneRedemption()
    {
        var answer = await _api.PostAsync("/v1.1/points/redeem",
            """{"root":{"redeem":[{"points_redeemed":1,"customer":{"mobile":"919999200003"}},{"points_redeemed":1,"customer":{"mobile":"919999200003"}}]}}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
    }

    private Task<SandboxAnswer> Redeem(string mobile, string points) => _api.PostAsync("/v1.1/points/redeem",
        $$$"""{"root":{"redeem":[{"points_redeemed":"{{{points}}}","customer":{"mobile":"{{{mobile}}}"},"transaction_number":"T1","validation_code":"ABC123","redemption_time":"2025-05-01 10:00:00"}]}}""");

    private static int RedeemCode(SandboxAnswer answer) =>
        answer.Json.GetProperty("response").GetProperty("responses").GetProperty("points").GetProperty("item_status").GetProperty("code").GetInt32();
}
