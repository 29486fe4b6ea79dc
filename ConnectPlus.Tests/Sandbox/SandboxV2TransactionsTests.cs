using System.Net;
using static ConnectPlus.Tests.Sandbox.SandboxApi;

namespace ConnectPlus.Tests.Sandbox;

public sealed class SandboxV2TransactionsTests : IClassFixture<SandboxFactory>, IDisposable
{
    private const string Mobile = "919999988886";
    private readonly SandboxFactory _factory;
    private readonly SandboxApi _api;

    public SandboxV2TransactionsTests(SandboxFactory factory)
    {
        _factory = factory;
        _factory.Reset();
        _api = factory.Api();
    }

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Bulk_Answers200WithOneElementPerItem_AndAwardsPoints_WhenAllSucceed()
    {
        var customerId = await _api.AddCustomerAsync(Mobile);

        var answer = await _api.PostBillsAsync(Bill("b-001", Mobile, 6000m), Bill("b-002", Mobile, 59m));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(2, answer.Json.GetProperty("totalCount").GetInt32());
        Assert.Equal(0, answer.Json.GetProperty("failureCount").GetInt32());
        var first = answer.Json.GetProperty("response")[0];
        Assert.True(first.GetProperty("entityId").GetInt64() > 0);
        Assert.Equal(0, first.GetProperty("errors").GetArrayLength());
        Assert.Equal(0, first.GetProperty("warnings").GetArrayLength());
        var sideEffect = first.GetProperty("result").GetProperty("sideEffects")[0];
        Assert.Equal("points", sideEffect.GetProperty("type").GetString());
        Assert.Equal(600, sideEffect.GetProperty("awardedPoints").GetInt64());
        Assert.Equal(5, answer.Json.GetProperty("response")[1].GetProperty("result").GetProperty("sideEffects")[0].GetProperty("awardedPoints").GetInt64());
        var customer = (await _api.GetAsync($"/_state/customers?identifierType=id&identifierValue={customerId}")).Json;
        Assert.Equal(605, customer.GetProperty("points").GetInt64());
    }

    [Fact]
    public async Task Bulk_Answers201_AndReportsEachItemInOrder_WhenSomeFail()
    {
        await _api.AddCustomerAsync(Mobile);

        var answer = await _api.PostBillsAsync(Bill("ok-1", Mobile), Bill("bad-1", Mobile, -5m), Bill("ok-2", Mobile));

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.Equal(3, answer.Json.GetProperty("totalCount").GetInt32());
        Assert.Equal(1, answer.Json.GetProperty("failureCount").GetInt32());
        Assert.Equal([0, 631, 0], [answer.V2ErrorCode(0), answer.V2ErrorCode(1), answer.V2ErrorCode(2)]);
        var error = answer.Json.GetProperty("response")[1].GetProperty("errors")[0];
        Assert.False(error.GetProperty("status").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, answer.Json.GetProperty("response")[1].GetProperty("entityId").ValueKind);
        Assert.Equal(0, (await _api.BillsAsync("bad-1")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Bulk_Refuses8015_WhenTheCustomerDoesNotExist()
    {
        var answer = await _api.PostBillsAsync(Bill("nobody-1", "919000000000"));

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.Equal(8015, answer.V2ErrorCode(0));
    }

    [Fact]
    public async Task Bulk_Refuses8084_WhenNoIdentifierIsSent()
    {
        var answer = await _api.PostBillsAsync("""{"source":"INSTORE","type":"REGULAR","billNumber":"x-1","billAmount":"10"}""");

        Assert.Equal(8084, answer.V2ErrorCode(0));
    }

    [Fact]
    public async Task Bulk_Refuses8084_ForAnIdentifierTypeInTheWrongCase()
    {
        await _api.AddCustomerAsync(Mobile);

        var answer = await _api.PostBillsAsync(Bill("x-2", Mobile).Replace("\"mobile\"", "\"Mobile\"", StringComparison.Ordinal));

        Assert.Equal(8084, answer.V2ErrorCode(0));
    }

    [Fact]
    public async Task Bulk_Refuses604_ForABillNumberTheCustomerAlreadySent_AlsoWithinOneRequest()
    {
        await _api.AddCustomerAsync(Mobile);
        await _api.PostBillsAsync(Bill("dup-1", Mobile));

        var again = await _api.PostBillsAsync(Bill("dup-1", Mobile));
        var twiceInOne = await _api.PostBillsAsync(Bill("dup-2", Mobile), Bill("dup-2", Mobile));

        Assert.Equal(604, again.V2ErrorCode(0));
        Assert.Equal([0, 604], [twiceInOne.V2ErrorCode(0), twiceInOne.V2ErrorCode(1)]);
        Assert.Equal(1, (await _api.BillsAsync("dup-1")).GetProperty("count").GetInt32());
        Assert.Equal(1, (await _api.BillsAsync("dup-2")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Bulk_AcceptsTheSameBillNumber_ForAnotherCustomer()
    {
        await _api.AddCustomerAsync(Mobile);
        await _api.AddCustomerAsync("919999988887");

        var answer = await _api.PostBillsAsync(Bill("shared-1", Mobile), Bill("shared-1", "919999988887"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(2, (await _api.BillsAsync("shared-1")).GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("source", "Instore")]
    [InlineData("source", "")]
    [InlineData("type", "Regular")]
    [InlineData("type", "SALE")]
    public async Task Bulk_RefusesEnumerationsNotSpelledExactly(string field, string value)
    {
        await _api.AddCustomerAsync(Mobile);
        var bill = field == "source" ? Bill("enum-1", Mobile, source: value) : Bill("enum-1", Mobile, type: value);

        var answer = await _api.PostBillsAsync(bill);

        Assert.Equal(9001, answer.V2ErrorCode(0));
        Assert.Contains(field, answer.Json.GetProperty("response")[0].GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-04-11")]
    [InlineData("2025-04-11T11:00:00+05:30")]
    [InlineData("2025-04-11T11:00:00Z")]
    [InlineData("2025-04-11T11:00:00.250+05:30")]
    public async Task Bulk_AcceptsIsoDates(string date)
    {
        await _api.AddCustomerAsync(Mobile);

        var answer = await _api.PostBillsAsync(Bill("date-ok", Mobile, billingDate: date));

        Assert.Equal(0, answer.V2ErrorCode(0));
    }

    [Theory]
    [InlineData("11/04/2025")]
    [InlineData("2025-04-11T11:00:00")]
    [InlineData("2025-04-11 11:00:00")]
    [InlineData("2025-13-01")]
    [InlineData("2030-01-01")]
    public async Task Bulk_Refuses621_ForDatesNotIsoOrInTheFuture(string date)
    {
        await _api.AddCustomerAsync(Mobile);

        var answer = await _api.PostBillsAsync(Bill("date-bad", Mobile, billingDate: date));

        Assert.Equal(621, answer.V2ErrorCode(0));
    }

    [Fact]
    public async Task Bulk_RefusesMissingBillNumberAndAmount()
    {
        await _api.AddCustomerAsync(Mobile);

        var answer = await _api.PostBillsAsync(
            $$$"""{"identifierType":"mobile","identifierValue":"{{{Mobile}}}","source":"INSTORE","type":"REGULAR","billAmount":"10"}""",
            $$$"""{"identifierType":"mobile","identifierValue":"{{{Mobile}}}","source":"INSTORE","type":"REGULAR","billNumber":"n-1"}""",
            $$$"""{"identifierType":"mobile","identifierValue":"{{{Mobile}}}","source":"INSTORE","type":"REGULAR","billNumber":"n-2","billAmount":"ten"}""");

        Assert.Equal([602, 601, 601], [answer.V2ErrorCode(0), answer.V2ErrorCode(1), answer.V2ErrorCode(2)]);
    }

    [Fact]
    public async Task Bulk_RefusesNegativeLineItemQuantity()
    {
        await _api.AddCustomerAsync(Mobile);

        var answer = await _api.PostBillsAsync(Bill("line-1", Mobile).Replace("\"qty\":4", "\"qty\":-4", StringComparison.Ordinal));

        Assert.Equal(627, answer.V2ErrorCode(0));
    }

    [Fact]
    public async Task Bulk_NeedsAReturnType_ForAReturn()
    {
        await _api.AddCustomerAsync(Mobile);

        var without = await _api.PostBillsAsync(Bill("ret-1", Mobile, type: "RETURN"));
        var with = await _api.PostBillsAsync(Bill("ret-1", Mobile, type: "RETURN").Replace("\"note\":\"\"", "\"returnType\":\"AMOUNT\"", StringComparison.Ordinal));

        Assert.Equal(628, without.V2ErrorCode(0));
        Assert.Equal(0, with.V2ErrorCode(0));
        Assert.Empty(with.Json.GetProperty("response")[0].GetProperty("result").GetProperty("sideEffects").EnumerateArray());
    }

    [Fact]
    public async Task Bulk_RecordsNotInterestedBills_WithoutACustomer()
    {
        var answer = await _api.PostBillsAsync("""{"source":"INSTORE","type":"NOT_INTERESTED","billNumber":"ni-1","billAmount":"10"}""");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(1, (await _api.BillsAsync("ni-1")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Bulk_FailsEveryItemWith672AndRecordsNothing_OverTheBatchLimit()
    {
        await _api.AddCustomerAsync(Mobile);
        var bills = Enumerable.Range(0, 101).Select(i => Bill($"big-{i}", Mobile)).ToArray();

        var answer = await _api.PostBillsAsync(bills);

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.Equal(101, answer.Json.GetProperty("failureCount").GetInt32());
        Assert.All(Enumerable.Range(0, 101), i => Assert.Equal(672, answer.V2ErrorCode(i)));
        Assert.Equal(0, (await _api.StateAsync()).GetProperty("bills").GetInt32());
    }

    [Fact]
    public async Task Bulk_AcceptsExactlyTheBatchLimit()
    {
        await _api.AddCustomerAsync(Mobile);

        var answer = await _api.PostBillsAsync([.. Enumerable.Range(0, 100).Select(i => Bill($"max-{i}", Mobile))]);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(100, (await _api.StateAsync()).GetProperty("bills").GetInt32());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("not json")]
    public async Task Bulk_Answers400_WhenTheBodyIsNotANonEmptyArray(string body)
    {
        var answer = await _api.PostAsync("/v2/transactions/bulk", body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(400, answer.Json.GetProperty("errors")[0].GetProperty("code").GetInt32());
    }
}
