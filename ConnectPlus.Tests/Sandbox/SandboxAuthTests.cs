using System.Net;
using ConnectPlus.Web.Sandbox;

namespace ConnectPlus.Tests.Sandbox;

public sealed class SandboxAuthTests : IClassFixture<SandboxFactory>, IDisposable
{
    private readonly SandboxFactory _factory;
    private readonly SandboxApi _api;

    public SandboxAuthTests(SandboxFactory factory)
    {
        _factory = factory;
        _factory.Reset();
        _api = factory.Api();
    }

    public void Dispose() => _api.Dispose();

    [Fact]
    public void Md5Hex_OfTheDocumentedTillPassword_IsTheDocumentedHash() =>
        Assert.Equal("8a16a6b70505eb1f1ff7cdc0cd5559a7", SandboxAuthenticator.Md5Hex("server123"));

    [Fact]
    public async Task TokenGenerate_ReturnsAJwtAndItsTtl_ForTheConfiguredClient()
    {
        var answer = await _api.PostAsync("/v3/oauth/token/generate", """{"key":"sandbox-key","secret":"sandbox-secret"}""", anonymous: true);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var token = answer.Json.GetProperty("data").GetProperty("accessToken").GetString()!;
        Assert.Equal(3, token.Split('.').Length);
        Assert.Equal(300, answer.Json.GetProperty("data").GetProperty("ttlSeconds").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, answer.Json.GetProperty("errors").ValueKind);
    }

    [Fact]
    public async Task TokenGenerate_AnswersAccessForbiddenWithoutToken_WhenTheSecretIsWrong()
    {
        var answer = await _api.PostAsync("/v3/oauth/token/generate", """{"key":"sandbox-key","secret":"guess"}""", anonymous: true);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, answer.Json.GetProperty("data").ValueKind);
        Assert.Equal("access forbidden", answer.Json.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task TokenGenerate_AnswersBadRequest_WhenKeyOrSecretIsMissing()
    {
        var answer = await _api.PostAsync("/v3/oauth/token/generate", """{"key":"sandbox-key"}""", anonymous: true);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(400, answer.Json.GetProperty("errors")[0].GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Token_OpensV2_UntilItsTtlPasses_ThenAnswers401()
    {
        await _api.AddCustomerAsync("919800000001");
        var token = await _api.TokenAsync();

        var before = await _api.PostAsync("/v2/transactions/bulk", "[" + SandboxApi.Bill("ttl-1", "919800000001") + "]", token);
        _factory.Time.Advance(TimeSpan.FromSeconds(299));
        var justBefore = await _api.PostAsync("/v2/transactions/bulk", "[" + SandboxApi.Bill("ttl-2", "919800000001") + "]", token);
        _factory.Time.Advance(TimeSpan.FromSeconds(1));
        var after = await _api.PostAsync("/v2/transactions/bulk", "[" + SandboxApi.Bill("ttl-3", "919800000001") + "]", token);

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Equal(HttpStatusCode.OK, justBefore.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, after.Status);
        Assert.Equal(401, after.Json.GetProperty("errors")[0].GetProperty("code").GetInt32());
        Assert.Equal(0, (await _api.BillsAsync("ttl-3")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task TokenTtl_ChangedAtRuntime_AppliesToNewTokens()
    {
        _factory.Faults = _factory.Faults with { TokenTtlSeconds = 5 };
        var answer = await _api.PostAsync("/v3/oauth/token/generate", """{"key":"sandbox-key","secret":"sandbox-secret"}""", anonymous: true);
        var token = answer.Json.GetProperty("data").GetProperty("accessToken").GetString()!;

        _factory.Time.Advance(TimeSpan.FromSeconds(5));
        var expired = await _api.PostAsync("/v2/customers", V2Customer("919800000002"), token);

        Assert.Equal(5, answer.Json.GetProperty("data").GetProperty("ttlSeconds").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
    }

    [Fact]
    public async Task V2_Answers401_ForAnUnknownToken()
    {
        var answer = await _api.PostAsync("/v2/customers", V2Customer("919800000003"), token: "not-a-token");

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal(0, (await _api.StateAsync()).GetProperty("customers").GetInt32());
    }

    [Fact]
    public async Task V2_Answers401_WithoutAnyAuthentication()
    {
        var answer = await _api.PostAsync("/v2/transactions/bulk", "[]", anonymous: true);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
    }

    [Fact]
    public async Task V11_Answers401InV11Shape_WhenTheTillPasswordHashIsWrong()
    {
        var answer = await _api.PostAsync("/v1.1/customer/add", """{"root":{"customer":[{"mobile":"919800000004"}]}}""",
            authorization: SandboxApi.Basic(passwordHash: "server123"));

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        var status = answer.Json.GetProperty("response").GetProperty("status");
        Assert.Equal("false", status.GetProperty("success").GetString());
        Assert.Equal(401, status.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task V11_Answers401_ForAnUnknownTill()
    {
        var answer = await _api.PostAsync("/v1.1/customer/add", """{"root":{"customer":[{"mobile":"919800000005"}]}}""",
            authorization: SandboxApi.Basic(user: "other.till"));

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
    }

    [Fact]
    public async Task V11_AcceptsTheOAuthToken()
    {
        var token = await _api.TokenAsync();

        var answer = await _api.PostAsync("/v1.1/customer/add", """{"root":{"customer":[{"mobile":"919800000006"}]}}""", token);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    [Fact]
    public async Task V2_AcceptsBasicAuth_ByDefault()
    {
        var answer = await _api.PostAsync("/v2/customers", V2Customer("919800000007"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    [Fact]
    public async Task V2_RefusesBasicAuth_WhenV2AcceptsBasicAuthIsFalse()
    {
        await using var factory = new OAuthOnlyV2Factory();
        using var api = factory.Api();

        var basic = await api.PostAsync("/v2/customers", V2Customer("919800000008"));
        var oauth = await api.PostAsync("/v2/customers", V2Customer("919800000008"), await api.TokenAsync());
        var v11 = await api.PostAsync("/v1.1/customer/add", """{"root":{"customer":[{"mobile":"919800000009"}]}}""");

        Assert.Equal(HttpStatusCode.Unauthorized, basic.Status);
        Assert.Equal(HttpStatusCode.OK, oauth.Status);
        Assert.Equal(HttpStatusCode.OK, v11.Status);
    }

    internal static string V2Customer(string mobile, string source = "INSTORE") => $$$"""
        {"loyaltyInfo":{"loyaltyType":"loyalty"},
         "profiles":[{"firstName":"Ann","lastName":"Lee","source":"{{{source}}}","identifiers":[{"type":"mobile","value":"{{{mobile}}}"}],"fields":{}}],
         "extendedFields":{}}
        """;

    private sealed class OAuthOnlyV2Factory : SandboxFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } =
            new Dictionary<string, string?> { ["Sandbox:V2AcceptsBasicAuth"] = "false" };
    }
}
