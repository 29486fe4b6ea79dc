using System.Net;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Capillary;
using Microsoft.Extensions.Time.Testing;

namespace ConnectPlus.Tests.Blocks.Api;

public sealed class CapillaryClientTests
{
    private static CapillaryConnectionSettings OAuth(string secret = "secret", int ttlMargin = 30) => new()
    {
        BaseUrl = "https://capillary.test",
        Auth = CapillaryAuth.Oauth,
        ClientKey = "key",
        ClientSecret = secret,
        TokenRefreshMarginSeconds = ttlMargin,
    };

    private static Task<ApiResponse> Post(CapillaryClient client) =>
        client.SendAsync(HttpMethod.Post, "/v2/transactions/bulk", "[]"u8.ToArray(), [], CancellationToken.None);

    [Fact]
    public async Task SendAsync_KeepsTheToken_UntilItsLifetimeLessTheMarginHasPassed()
    {
        var api = new FakeApi { TokenTtlSeconds = 300, Answer = (r, _) => FakeApi.Json(200, """{"response":[]}""") };
        var time = new FakeTimeProvider();
        using var client = new CapillaryClient("brand", OAuth(), api, time);

        await Post(client);
        time.Advance(TimeSpan.FromSeconds(269));
        await Post(client);
        time.Advance(TimeSpan.FromSeconds(2));
        await Post(client);

        Assert.Equal(2, client.TokensIssued);
        Assert.Equal(["token-1", "token-1", "token-2"], api.ApiRequests.Select(r => r.Header(CapillaryClient.TokenHeader)));
    }

    [Fact]
    public async Task SendAsync_FetchesOneToken_ForManyRequestsAtOnce()
    {
        var release = new TaskCompletionSource();
        var api = new FakeApi { BeforeToken = () => release.Task, Answer = (r, _) => FakeApi.Json(200, """{"response":[]}""") };
        using var client = new CapillaryClient("brand", OAuth(), api);

        var requests = Enumerable.Range(0, 20).Select(_ => Task.Run(() => Post(client))).ToList();
        await Task.Delay(100);
        release.SetResult();
        await Task.WhenAll(requests);

        Assert.Equal(1, api.TokensIssued);
        Assert.Equal(20, api.ApiRequests.Count);
    }

    [Fact]
    public async Task SendAsync_RenewsOnce_WhenManyRequestsAreRefusedTheSameToken()
    {
        var api = new FakeApi { Answer = (r, _) => r.Header(CapillaryClient.TokenHeader) == "token-1" ? FakeApi.Gateway(401) : FakeApi.Json(200, "{}") };
        using var client = new CapillaryClient("brand", OAuth(), api);

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => Post(client))));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Equal(2, api.TokensIssued);
    }

    [Fact]
    public async Task SendAsync_AsksForATokenOnce_WhenTheKeyIsRefusedWhileManyRequestsWait()
    {
        var release = new TaskCompletionSource();
        var api = new FakeApi { BeforeToken = () => release.Task };
        using var client = new CapillaryClient("brand", OAuth(secret: "nope"), api);

        var requests = Enumerable.Range(0, 10).Select(_ => Task.Run(() => Post(client))).ToList();
        await Task.Delay(100);
        release.SetResult();
        var late = await Assert.ThrowsAsync<ConnectionException>(() => Post(client));

        foreach (var request in requests)
        {
            var error = await Assert.ThrowsAsync<ConnectionException>(() => request);
            Assert.Equal(ConnectionFailure.AuthenticationFailed, error.Failure);
            Assert.Contains("Capillary refused the client key 'key' of capillary connection 'brand' (https://capillary.test) (HTTP 401): access forbidden.", error.Message, StringComparison.Ordinal);
        }
        Assert.Equal(ConnectionFailure.AuthenticationFailed, late.Failure);
        Assert.Single(api.Requests);
        Assert.Empty(api.ApiRequests);
    }

    [Fact]
    public async Task SendAsync_SendsNothingMore_WhenCancelledWhileItsRequestWasInFlight()
    {
        // Two requests signed in with token-1; the first is held in flight. The second is refused, renews
        // (token-2) and passes. Then the caller cancels (a fault elsewhere stopped the run) and the held
        // request's 401 arrives: it must not renew nor send again.
        using var stop = new CancellationTokenSource();
        var hold = new TaskCompletionSource();
        var api = new FakeApi
        {
            BeforeAnswer = (r, _) => r.Body == "[1]" ? hold.Task : Task.CompletedTask,
            Answer = (r, _) => r.Header(CapillaryClient.TokenHeader) == "token-1" ? FakeApi.Gateway(401) : FakeApi.Json(200, "{}"),
        };
        using var client = new CapillaryClient("brand", OAuth(), api);

        var held = Task.Run(() => client.SendAsync(HttpMethod.Post, "/v2/transactions/bulk", "[1]"u8.ToArray(), [], stop.Token));
        while (api.ApiRequests.Count == 0) await Task.Delay(10);
        var renewed = await client.SendAsync(HttpMethod.Post, "/v2/transactions/bulk", "[2]"u8.ToArray(), [], CancellationToken.None);
        await stop.CancelAsync();
        hold.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);
        Assert.Equal(200, renewed.Status);
        Assert.Equal(["[1]", "[2]", "[2]"], api.ApiRequests.Select(r => r.Body));
        Assert.Equal(2, api.TokensIssued);
    }

    [Fact]
    public async Task TestAsync_FailsWithAuthenticationFailed_AndTheServersMessage_WhenTheSecretIsWrong()
    {
        using var client = new CapillaryClient("brand", OAuth(secret: "nope"), new FakeApi());

        var error = await Assert.ThrowsAsync<ConnectionException>(() => client.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.AuthenticationFailed, error.Failure);
        Assert.Contains("(HTTP 401): access forbidden.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestAsync_Passes_WhenTheTokenIsGiven()
    {
        var api = new FakeApi();
        using var client = new CapillaryClient("brand", OAuth(), api);

        await client.TestAsync(CancellationToken.None);

        Assert.Equal(1, api.TokensIssued);
    }

    [Fact]
    public async Task TestAsync_WithBasicSignIn_FailsOnlyOnA401()
    {
        var settings = new CapillaryConnectionSettings { BaseUrl = "https://capillary.test", Auth = CapillaryAuth.Basic, TillUsername = "till", Password = "pw" };
        var refusing = new FakeApi { Answer = (_, _) => FakeApi.Json(401, """{"response":{"status":{"success":"false","code":401,"message":"Unauthorized"}}}""") };
        var accepting = new FakeApi { Answer = (_, _) => FakeApi.Json(400, """{"response":{"status":{"success":"false","code":400,"message":"Input is invalid"}}}""") };
        using var refused = new CapillaryClient("brand", settings, refusing);
        using var accepted = new CapillaryClient("brand", settings, accepting);

        var error = await Assert.ThrowsAsync<ConnectionException>(() => refused.TestAsync(CancellationToken.None));
        await accepted.TestAsync(CancellationToken.None);

        Assert.Equal(ConnectionFailure.AuthenticationFailed, error.Failure);
        Assert.Contains("refused the till user 'till'", error.Message, StringComparison.Ordinal);
        Assert.Equal("/v1.1/customer/add?format=json", Assert.Single(accepting.Requests).Path);
    }

    [Fact]
    public async Task FetchingAToken_IsRetriable_WhenTheTokenServiceIsDown()
    {
        var api = new FakeApi { TokenAnswer = _ => FakeApi.Gateway(503) };
        using var client = new CapillaryClient("brand", OAuth(), api);

        var error = await Assert.ThrowsAsync<ConnectionException>(() => Post(client));

        Assert.True(error.Transient);
        Assert.Contains("The token service of capillary connection 'brand' (https://capillary.test) answered HTTP 503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_GivesUp_WhenNoAnswerComesWithinTheTimeout()
    {
        var api = new SlowApi();
        var settings = OAuth();
        settings.TimeoutSeconds = 1;
        using var client = new CapillaryClient("brand", settings, api);

        var error = await Assert.ThrowsAsync<ConnectionException>(() => client.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.Timeout, error.Failure);
        Assert.Contains("did not answer POST /v3/oauth/token/generate within 1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BasicAuthorization_SendsTheMd5OfThePassword()
    {
        Assert.Equal("Basic " + Convert.ToBase64String("store.server:8a16a6b70505eb1f1ff7cdc0cd5559a7"u8),
            CapillaryClient.BasicAuthorization("store.server", "server123"));
    }

    [Fact]
    public async Task ConnectionCatalog_TestsACapillaryConnection_BySigningIn()
    {
        var connection = new ConnectionDefinition
        {
            Name = "brand",
            Type = "capillary",
            Settings = new JsonObject { ["baseUrl"] = "http://127.0.0.1:9", ["auth"] = "oauth", ["clientKey"] = "k", ["clientSecret"] = "s", ["timeoutSeconds"] = 5 },
        };

        var error = await Assert.ThrowsAsync<ConnectionException>(() => ConnectionCatalog.Default.TestAsync(connection, CancellationToken.None));

        Assert.Equal(ConnectionFailure.Refused, error.Failure);
    }

    [Theory]
    [InlineData("""{"baseUrl":"ftp://x","auth":"oauth","clientKey":"k","clientSecret":"s"}""", "baseUrl: Give an http:// or https:// address")]
    [InlineData("""{"baseUrl":"https://x","auth":"oauth","clientSecret":"s"}""", "clientKey: Give the OAuth client key")]
    [InlineData("""{"baseUrl":"https://x","auth":"basic","tillUsername":"t"}""", "password: Give the till user's password.")]
    [InlineData("""{"baseUrl":"https://x","auth":"basic","tillUsername":"t","password":"p","attributionEntityType":"TILL"}""", "attributionEntityCode: Give both the attribution entity type and its code, or neither.")]
    public void Bind_ExplainsIncompleteConnections(string settings, string message)
    {
        var connection = new ConnectionDefinition { Name = "brand", Type = "capillary", Settings = JsonNode.Parse(settings)!.AsObject() };

        var error = Assert.Throws<ConnectionException>(() => ConnectionCatalog.Default.Bind(connection));

        Assert.Equal(ConnectionFailure.InvalidSettings, error.Failure);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_MarksTheSecretsOfTheCapillaryConnection()
    {
        var type = ConnectionCatalog.Default.Find("capillary")!;

        Assert.Equal(["clientSecret", "password"], type.Settings.Where(s => s.Secret).Select(s => s.Name));
        Assert.Equal(["oauth", "basic"], type.Settings.Single(s => s.Name == "auth").Options);
    }

    private sealed class SlowApi : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
