using System.Net;
using static ConnectPlus.Tests.Sandbox.SandboxAuthTests;

namespace ConnectPlus.Tests.Sandbox;

public sealed class SandboxV2CustomersTests : IClassFixture<SandboxFactory>, IDisposable
{
    private readonly SandboxApi _api;

    public SandboxV2CustomersTests(SandboxFactory factory)
    {
        factory.Reset();
        _api = factory.Api();
    }

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Add_ReturnsTheCreatedId_AndTheCustomerCanThenTransact()
    {
        var answer = await _api.PostAsync("/v2/customers", V2Customer("919700000001"));
        var bill = await _api.PostBillsAsync(SandboxApi.Bill("c-1", "919700000001"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.True(answer.Json.GetProperty("createdId").GetInt64() > 0);
        Assert.Equal(0, answer.Json.GetProperty("warnings").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Array, answer.Json.GetProperty("sideEffects").ValueKind);
        Assert.Equal(HttpStatusCode.OK, bill.Status);
    }

    [Fact]
    public async Task Add_UpdatesTheKnownCustomer_AndWarns8050_WhenFromAnotherSource()
    {
        var first = await _api.PostAsync("/v2/customers", V2Customer("919700000002"));
        var sameSource = await _api.PostAsync("/v2/customers", V2Customer("919700000002"));
        var otherSource = await _api.PostAsync("/v2/customers", V2Customer("919700000002", source: "ECOMMERCE"));

        var id = first.Json.GetProperty("createdId").GetInt64();
        Assert.Equal(id, sameSource.Json.GetProperty("createdId").GetInt64());
        Assert.Equal(0, sameSource.Json.GetProperty("warnings").GetArrayLength());
        Assert.Equal(id, otherSource.Json.GetProperty("createdId").GetInt64());
        Assert.Equal(8050, otherSource.Json.GetProperty("warnings")[0].GetProperty("code").GetInt32());
        Assert.Equal(1, (await _api.StateAsync()).GetProperty("customers").GetInt32());
    }

    [Fact]
    public async Task Add_Answers400With8084_WhenNoProfileIsSent()
    {
        var answer = await _api.PostAsync("/v2/customers", """{"loyaltyInfo":{"loyaltyType":"loyalty"},"extendedFields":{}}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(8084, answer.Json.GetProperty("errors")[0].GetProperty("code").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, answer.Json.GetProperty("createdId").ValueKind);
    }

    [Theory]
    [InlineData("Mobile", "919700000003", 9001)]
    [InlineData("mobile", "12ab", 1001)]
    [InlineData("email", "not-an-email", 1002)]
    public async Task Add_RefusesBadIdentifiers(string type, string value, int code)
    {
        var body = $$$"""{"profiles":[{"source":"INSTORE","identifiers":[{"type":"{{{type}}}","value":"{{{value}}}"}]}]}""";

        var answer = await _api.PostAsync("/v2/customers", body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(code, answer.Json.GetProperty("errors")[0].GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Add_RefusesASourceInTheWrongCase()
    {
        var answer = await _api.PostAsync("/v2/customers", V2Customer("919700000004", source: "Instore"));

        Assert.Equal(9001, answer.Json.GetProperty("errors")[0].GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Add_Refuses1016_WhenIdentifiersBelongToTwoCustomers()
    {
        await _api.PostAsync("/v2/customers", V2Customer("919700000005"));
        await _api.PostAsync("/v2/customers", """{"profiles":[{"source":"INSTORE","identifiers":[{"type":"email","value":"b@example.com"}]}]}""");

        var answer = await _api.PostAsync("/v2/customers",
            """{"profiles":[{"source":"INSTORE","identifiers":[{"type":"mobile","value":"919700000005"},{"type":"email","value":"b@example.com"}]}]}""");

        Assert.Equal(1016, answer.Json.GetProperty("errors")[0].GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Bulk_Answers200_WhenAllAreAdded_And201_WhenOneFails()
    {
        var ok = await _api.PostAsync("/v2/customers/bulk", $"[{V2Customer("919700000006")},{V2Customer("919700000007")}]");
        var mixed = await _api.PostAsync("/v2/customers/bulk", $"[{V2Customer("919700000008")},{V2Customer("12")}]");

        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal(2, ok.Json.GetProperty("totalCount").GetInt32());
        Assert.True(ok.Json.GetProperty("response")[1].GetProperty("entityId").GetInt64() > 0);
        Assert.Equal(HttpStatusCode.Created, mixed.Status);
        Assert.Equal(1, mixed.Json.GetProperty("failureCount").GetInt32());
        Assert.Equal([0, 1001], [mixed.V2ErrorCode(0), mixed.V2ErrorCode(1)]);
        Assert.Equal(3, (await _api.StateAsync()).GetProperty("customers").GetInt32());
    }

    [Fact]
    public async Task Bulk_FailsEveryItemWith672_OverTheBatchLimit()
    {
        var customers = string.Join(",", Enumerable.Range(0, 101).Select(i => V2Customer($"9197100{i:D5}")));

        var answer = await _api.PostAsync("/v2/customers/bulk", $"[{customers}]");

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.Equal(672, answer.V2ErrorCode(100));
        Assert.Equal(0, (await _api.StateAsync()).GetProperty("customers").GetInt32());
    }
}
