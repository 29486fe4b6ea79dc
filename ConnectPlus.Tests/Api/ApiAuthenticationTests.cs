using System.Text.Json;
using ConnectPlus.Tests.Web;
using ConnectPlus.Web.Features.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using static ConnectPlus.Tests.Api.ApiTestData;

namespace ConnectPlus.Tests.Api;

/// <summary>API keys: who may call /api/v1, and what a refused caller is told.</summary>
public sealed class ApiAuthenticationTests(ApiHost host) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task Call_AnswersUnauthorizedProblem_WhenTheKeyIsMissing()
    {
        using var client = host.Client(key: null);

        var response = await client.GetAsync("/api/v1/dataflows");

        var problem = await response.ExpectAsync(401);
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString());
        Assert.Contains("ApiKey", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Call_AnswersUnauthorized_WithoutEchoingTheKey_WhenTheKeyIsWrong()
    {
        const string wrong = "wrong-key-that-must-not-come-back";
        using var client = host.Client(wrong);

        var response = await client.PostAsync("/api/v1/dataflows", Json(new { name = "x" }));

        var problem = await response.ExpectAsync(401);
        Assert.Equal("API key not valid", problem.GetProperty("title").GetString());
        Assert.DoesNotContain(wrong, problem.ToString());
    }

    [Fact]
    public async Task Call_Succeeds_WithTheConfiguredKey()
    {
        using var client = host.Client();

        var response = await client.GetAsync("/api/v1/connections");

        await response.ExpectAsync(200);
    }

    [Fact]
    public async Task Call_AnswersForbidden_WhenTheKeysWorkspaceDoesNotExist()
    {
        using var client = host.Client(ApiHost.LostKey);

        var problem = await (await client.GetAsync("/api/v1/dataflows")).ExpectAsync(403);

        Assert.Contains("no workspace named 'No such workspace'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task WrongPathMethodOrContentType_AnswersAProblem_NotTheUiPage()
    {
        using var client = host.Client();

        var problem = await (await client.GetAsync("/api/v1/nothing-here")).ExpectAsync(404);
        var badQuery = await (await client.GetAsync("/api/v1/dataflows?page=abc")).ExpectAsync(400);
        var wrongMethod = await (await client.PatchAsync("/api/v1/dataflows/1", Json(new { }))).ExpectAsync(405);
        var wrongType = await (await client.PostAsync("/api/v1/dataflows", new StringContent("name=x", System.Text.Encoding.UTF8, "text/plain"))).ExpectAsync(415);

        Assert.Contains("There is no API endpoint GET /api/v1/nothing-here", problem.GetProperty("detail").GetString());
        Assert.Equal(400, badQuery.GetProperty("status").GetInt32());
        Assert.Contains("not allowed", wrongMethod.GetProperty("detail").GetString());
        Assert.Contains("application/json", wrongType.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Call_AnswersUnauthorized_ExplainingHowToConfigureAKey_WhenNoKeyIsConfigured()
    {
        var factory = new ConnectPlusWebFactory();
        JsonElement problem;
        try
        {
            using var client = factory.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", ApiHost.Key);

            problem = await (await client.GetAsync("/api/v1/dataflows")).ExpectAsync(401);
        }
        finally
        {
            await ApiHost.DisposeFactoryAsync(factory);
        }

        Assert.Equal("The REST API has no API keys configured", problem.GetProperty("title").GetString());
        Assert.Contains("Api__Keys__", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Start_IsRefused_WhenAKeyIsTooShort()
    {
        var factory = new ConnectPlusWebFactory();
        var withShortKey = factory.WithWebHostBuilder(b => b.UseSetting("Api:Keys:weak", "short"));

        var error = Assert.Throws<OptionsValidationException>(() => withShortKey.CreateClient());
        await ApiHost.DisposeFactoryAsync(factory);

        Assert.Contains("Api:Keys:weak: the key is too short", error.Message);
        Assert.DoesNotContain("short\"", error.Message);
    }

    [Fact]
    public void Options_AcceptAKeyHash_AndTheWorkspaceOfAClient()
    {
        var key = "a-key-given-as-its-hash-only-0001";
        var hash = Convert.ToHexString(ApiKeyOptions.KeyHash(key));
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Api:Keys:etl:KeySha256"] = hash,
            ["Api:Keys:etl:Workspace"] = "Brand A",
            ["Api:Keys:bad:KeySha256"] = "1234",
        }).Build();
        var options = new ApiKeyOptions();

        options.Load(config.GetSection(ApiKeyOptions.Section));

        var client = Assert.Single(options.Clients);
        Assert.Equal(("etl", "Brand A"), (client.Name, client.Workspace));
        Assert.True(client.Matches(ApiKeyOptions.KeyHash(key)));
        Assert.False(client.Matches(ApiKeyOptions.KeyHash(key + "x")));
        Assert.Contains(options.Problems, p => p.Contains("Api:Keys:bad: KeySha256 must be 64 hexadecimal digits"));
    }
}
