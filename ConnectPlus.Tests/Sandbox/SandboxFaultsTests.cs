using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using static ConnectPlus.Tests.Sandbox.SandboxApi;

namespace ConnectPlus.Tests.Sandbox;

public sealed class SandboxFaultsTests : IClassFixture<SandboxFactory>, IDisposable
{
    private const string Mobile = "919600000000";
    private readonly SandboxFactory _factory;
    private readonly SandboxApi _api;

    public SandboxFaultsTests(SandboxFactory factory)
    {
        _factory = factory;
        _factory.Reset();
        _api = factory.Api();
    }

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task ServerErrorShareOne_FailsEveryCallWith5xx_AndRecordsNothing()
    {
        await _api.AddCustomerAsync(Mobile);
        _factory.Faults = _factory.Faults with { ServerErrorShare = 1, Seed = 7 };

        var statuses = new List<int>();
        for (var i = 0; i < 30; i++) statuses.Add((await _api.PostBillsAsync(Bill($"f-{i}", Mobile))).Code);

        Assert.All(statuses, s => Assert.InRange(s, 502, 504));
        Assert.Equal(3, statuses.Distinct().Count());
        Assert.Equal(0, (await _api.StateAsync()).GetProperty("bills").GetInt32());
    }

    [Fact]
    public async Task TooManyRequestsShareOne_Answers429WithRetryAfter()
    {
        _factory.Faults = _factory.Faults with { TooManyRequestsShare = 1, RetryAfterSeconds = 7 };

        var answer = await _api.PostAsync("/v3/oauth/token/generate", """{"key":"sandbox-key","secret":"sandbox-secret"}""", anonymous: true);

        Assert.Equal(HttpStatusCode.TooManyRequests, answer.Status);
        Assert.Equal(TimeSpan.FromSeconds(7), answer.Headers.RetryAfter?.Delta);
        Assert.Equal(429, answer.Json.GetProperty("errors")[0].GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task SharesWithASeed_DrawTheSameFaultsInTheSameOrder()
    {
        async Task<List<int>> RunAsync()
        {
            _factory.Faults = _factory.Faults with { ServerErrorShare = 0.3, TooManyRequestsShare = 0.3, Seed = 42 };
            var codes = new List<int>();
            for (var i = 0; i < 20; i++) codes.Add((await _api.PostAsync("/v2/customers", SandboxAuthTests.V2Customer(Mobile))).Code);
            return codes;
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first, second);
        Assert.Contains(200, first);
        Assert.Contains(429, first);
        Assert.Contains(first, c => c >= 500);
    }

    [Fact]
    public async Task RateLimit_Answers429PerCallerAfterTheLimit_UntilTheMinuteEnds()
    {
        var now = _factory.Time.GetUtcNow();
        _factory.Time.SetUtcNow(new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1));
        _factory.Faults = _factory.Faults with { RateLimitPerMinute = 3 };
        var token = await _api.TokenAsync();

        var allowed = new List<int>();
        for (var i = 0; i < 3; i++) allowed.Add((await _api.PostAsync("/v2/customers", SandboxAuthTests.V2Customer(Mobile))).Code);
        _factory.Time.Advance(TimeSpan.FromSeconds(20));
        var limited = await _api.PostAsync("/v2/customers", SandboxAuthTests.V2Customer(Mobile));
        var otherCaller = await _api.PostAsync("/v2/customers", SandboxAuthTests.V2Customer(Mobile), token);
        _factory.Time.Advance(TimeSpan.FromSeconds(40));
        var nextMinute = await _api.PostAsync("/v2/customers", SandboxAuthTests.V2Customer(Mobile));

        Assert.Equal([200, 200, 200], allowed);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal(TimeSpan.FromSeconds(40), limited.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, otherCaller.Status);
        Assert.Equal(HttpStatusCode.OK, nextMinute.Status);
    }

    [Fact]
    public async Task Latency_DelaysTheAnswer_OnTheInjectedClock()
    {
        _factory.Faults = _factory.Faults with { LatencyMs = 5000 };

        var call = _api.PostAsync("/v2/customers", SandboxAuthTests.V2Customer(Mobile));
        var advanced = TimeSpan.Zero;
        var completedBeforeTheLatency = false;
        // The clock moves on until the answer comes, however late the request reaches the sandbox's wait on a busy
        // machine (a fixed 200 steps, 4 s, could end first); 60 s of real time only bounds a sandbox that never answers.
        var waited = Stopwatch.StartNew();
        while (!call.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20);
            completedBeforeTheLatency |= call.IsCompleted && advanced < TimeSpan.FromSeconds(5);
            _factory.Time.Advance(TimeSpan.FromMilliseconds(500));
            advanced += TimeSpan.FromMilliseconds(500);
        }
        var answer = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(completedBeforeTheLatency);
        Assert.True(advanced >= TimeSpan.FromSeconds(5), $"answered after {advanced} of sandbox time");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    [Fact]
    public async Task Latency_WithJitter_DelaysAtLeastTheLatency_InRealTime()
    {
        await using var factory = new RealClockFactory();
        using var api = factory.Api();
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync("/_settings", """{"latencyMs":300,"latencyJitterMs":50}""")).Status);

        var watch = Stopwatch.StartNew();
        var answer = await api.PostAsync("/v2/customers", SandboxAuthTests.V2Customer(Mobile));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.True(watch.ElapsedMilliseconds >= 290, $"answered in {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task LostResponse_Answers504_ButTheBillIsRecorded_SoTheRetryGets604()
    {
        await _api.AddCustomerAsync(Mobile);
        _factory.Faults = _factory.Faults with { LostResponseShare = 1 };
        var lost = await _api.PostBillsAsync(Bill("lost-1", Mobile));
        _factory.Faults = _factory.Faults with { LostResponseShare = 0 };

        var retry = await _api.PostBillsAsync(Bill("lost-1", Mobile));

        Assert.Equal(HttpStatusCode.GatewayTimeout, lost.Status);
        Assert.Equal(604, retry.V2ErrorCode(0));
        Assert.Equal(1, (await _api.BillsAsync("lost-1")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task ItemFailureShareOne_FailsValidItemsWithCode500_AndRecordsNone()
    {
        await _api.AddCustomerAsync(Mobile);
        _factory.Faults = _factory.Faults with { ItemFailureShare = 1 };

        var answer = await _api.PostBillsAsync(Bill("if-1", Mobile), Bill("if-2", Mobile, -1m));

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.Equal([500, 631], [answer.V2ErrorCode(0), answer.V2ErrorCode(1)]);
        Assert.Equal(0, (await _api.StateAsync()).GetProperty("bills").GetInt32());
    }

    [Fact]
    public async Task Settings_PutChangesOnlyTheNamedSettings_AndGetShowsThem()
    {
        var put = await _api.PutAsync("/_settings", """{"serverErrorShare":0.25,"RetryAfterSeconds":3}""");
        var get = await _api.GetAsync("/_settings");

        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal(0.25, get.Json.GetProperty("serverErrorShare").GetDouble());
        Assert.Equal(3, get.Json.GetProperty("retryAfterSeconds").GetInt32());
        Assert.Equal(300, get.Json.GetProperty("tokenTtlSeconds").GetInt32());
    }

    [Theory]
    [InlineData("""{"serverErrorShare":1.5}""", "ServerErrorShare must be between 0 and 1.")]
    [InlineData("""{"serverErrorShare":0.6,"tooManyRequestsShare":0.6}""", "must not exceed 1")]
    [InlineData("""{"tokenTtlSeconds":0}""", "TokenTtlSeconds")]
    [InlineData("""{"latency":5}""", "Unknown setting 'latency'")]
    [InlineData("""{"latencyMs":"soon"}""", "wrong type")]
    [InlineData("""[1]""", "Send a JSON object")]
    public async Task Settings_PutRefusesWhatMakesNoSense_AndKeepsTheSettings(string body, string message)
    {
        var put = await _api.PutAsync("/_settings", body);

        Assert.Equal(HttpStatusCode.BadRequest, put.Status);
        Assert.Contains(message, put.Json.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(_factory.Services.GetRequiredService<ConnectPlus.Web.Sandbox.SandboxFaultInjector>().Configured, _factory.Faults);
    }

    private sealed class RealClockFactory : SandboxFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) { }
    }
}
