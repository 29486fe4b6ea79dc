using System.Text.Json;

namespace ConnectPlus.Tests.Api;

/// <summary>/openapi/v1.json describes every endpoint of the REST API, and its API key scheme.</summary>
public sealed class OpenApiDocumentTests(ApiHost host) : IClassFixture<ApiHost>
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "get", "/api/v1/dataflows" },
        { "post", "/api/v1/dataflows" },
        { "get", "/api/v1/dataflows/{id}" },
        { "put", "/api/v1/dataflows/{id}" },
        { "delete", "/api/v1/dataflows/{id}" },
        { "post", "/api/v1/dataflows/{id}/versions" },
        { "post", "/api/v1/dataflows/{id}/versions/{number}/publish" },
        { "get", "/api/v1/dataflows/{id}/versions/{number}/export" },
        { "post", "/api/v1/dataflows/import" },
        { "post", "/api/v1/dataflows/{id}/runs" },
        { "get", "/api/v1/runs" },
        { "get", "/api/v1/runs/{id}" },
        { "post", "/api/v1/runs/{id}/cancel" },
        { "get", "/api/v1/runs/{id}/errors" },
        { "get", "/api/v1/runs/{id}/log" },
        { "get", "/api/v1/connections" },
        { "post", "/api/v1/connections" },
        { "get", "/api/v1/connections/{name}" },
        { "put", "/api/v1/connections/{name}" },
        { "delete", "/api/v1/connections/{name}" },
        { "post", "/api/v1/connections/{name}/test" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Document_ListsTheEndpoint_WithItsProblemAnswers(string method, string path)
    {
        var document = await DocumentAsync();

        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"{path} is not in the document");
        Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is not in the document");
        Assert.True(operation.TryGetProperty("summary", out _), $"{method} {path} has no summary");
        Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), $"{method} {path} does not mention 401");
    }

    [Fact]
    public async Task Document_HasOnlyTheApiPaths_AndTheApiKeyScheme()
    {
        var document = await DocumentAsync();

        Assert.All(document.GetProperty("paths").EnumerateObject(), p => Assert.StartsWith("/api/v1/", p.Name));
        Assert.Equal(Endpoints.Count, document.GetProperty("paths").EnumerateObject().Sum(p => p.Value.EnumerateObject().Count(o => o.Name is "get" or "post" or "put" or "delete")));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "X-Api-Key"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("in").GetString(), scheme.GetProperty("name").GetString()));
    }

    private async Task<JsonElement> DocumentAsync()
    {
        // The document is public: tools fetch it before they have a key.
        using var client = host.Client(key: null);
        var response = await client.GetAsync("/openapi/v1.json");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
