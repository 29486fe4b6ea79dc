using System.Net;
using static ConnectPlus.Tests.Sandbox.SandboxApi;

namespace ConnectPlus.Tests.Sandbox;

public sealed class SandboxStateTests : IClassFixture<SandboxFactory>, IDisposable
{
    private readonly SandboxApi _api;

    public SandboxStateTests(SandboxFactory factory)
    {
        factory.Reset();
        _api = factory.Api();
    }

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task State_CountsCustomersBillsPointsAndRequests()
    {
        await _api.AddCustomerAsync("919500000000");
        await _api.PostBillsAsync(Bill("s-1", "919500000000", 250m), Bill("s-2", "919500000000", 100m));

        var state = await _api.StateAsync();

        Assert.Equal(1, state.GetProperty("customers").GetInt32());
        Assert.Equal(2, state.GetProperty("bills").GetInt32());
        Assert.Equal(35, state.GetProperty("pointsAwarded").GetInt64());
        Assert.Equal(2, state.GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task StateBills_FindsABillByNumber_WithItsCustomerAndPoints()
    {
        var customerId = await _api.AddCustomerAsync("919500000001");
        await _api.PostBillsAsync(Bill("find-me", "919500000001", 123m));

        var found = await _api.BillsAsync("find-me");
        var missing = await _api.BillsAsync("not-sent");
        var all = (await _api.GetAsync("/_state/bills?take=10")).Json;

        Assert.Equal(1, found.GetProperty("count").GetInt32());
        var bill = found.GetProperty("bills")[0];
        Assert.Equal(customerId, bill.GetProperty("customerId").GetInt64());
        Assert.Equal(12, bill.GetProperty("points").GetInt64());
        Assert.Equal("v2/transactions/bulk", bill.GetProperty("api").GetString());
        Assert.Equal("till:store.server", bill.GetProperty("caller").GetString());
        Assert.Equal(0, missing.GetProperty("count").GetInt32());
        Assert.Equal(1, all.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task StateRequests_RecordsEveryCallWithItsItemOutcomes_NewestFirst()
    {
        await _api.AddCustomerAsync("919500000002");
        await _api.PostBillsAsync(Bill("r-1", "919500000002"), Bill("r-2", "919000000000"));

        var log = (await _api.GetAsync("/_state/requests")).Json;

        Assert.Equal(2, log.GetProperty("total").GetInt64());
        var latest = log.GetProperty("requests")[0];
        Assert.Equal("/v2/transactions/bulk", latest.GetProperty("endpoint").GetString());
        Assert.Equal(201, latest.GetProperty("status").GetInt32());
        Assert.Equal(2, latest.GetProperty("itemCount").GetInt32());
        Assert.Equal(1, latest.GetProperty("failureCount").GetInt32());
        Assert.Equal(["r-1:600", "r-2:8015"], latest.GetProperty("items").EnumerateArray()
            .Select(i => $"{i.GetProperty("key").GetString()}:{i.GetProperty("code").GetInt32()}"));
        Assert.Equal("/v1.1/customer/add", log.GetProperty("requests")[1].GetProperty("endpoint").GetString());
    }

    [Fact]
    public async Task Reset_ForgetsCustomersBillsAndRequests()
    {
        await _api.AddCustomerAsync("919500000003");

        using var reset = await _api.Http.PostAsync(new Uri(Base + "/_reset", UriKind.Relative), null);
        var state = await _api.StateAsync();

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(0, state.GetProperty("customers").GetInt32());
        Assert.Equal(0, state.GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task ParallelPostsOfDistinctBills_AreAllRecordedExactlyOnce()
    {
        const int requests = 40, perRequest = 25;
        await _api.AddCustomerAsync("919500000004");

        var answers = await Task.WhenAll(Enumerable.Range(0, requests).Select(r =>
            _api.PostBillsAsync([.. Enumerable.Range(0, perRequest).Select(i => Bill($"p-{r}-{i}", "919500000004", 10m))])));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        var bills = (await _api.GetAsync("/_state/bills?take=10000")).Json;
        Assert.Equal(requests * perRequest, bills.GetProperty("count").GetInt32());
        var numbers = bills.GetProperty("bills").EnumerateArray().Select(b => b.GetProperty("billNumber").GetString()).ToList();
        Assert.Equal(requests * perRequest, numbers.Distinct().Count());
        Assert.Equal(requests * perRequest, (await _api.StateAsync()).GetProperty("pointsAwarded").GetInt64());
    }

    [Fact]
    public async Task ParallelPostsOfTheSameBill_RecordItOnce_AndAnswer604ToTheRest()
    {
        await _api.AddCustomerAsync("919500000005");

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _api.PostBillsAsync(Bill("same", "919500000005"))));

        Assert.Single(answers, a => a.V2ErrorCode(0) == 0);
        Assert.Equal(19, answers.Count(a => a.V2ErrorCode(0) == 604));
        Assert.Equal(1, (await _api.BillsAsync("same")).GetProperty("count").GetInt32());
    }
}
