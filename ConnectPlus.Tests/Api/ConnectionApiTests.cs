using System.Text;
using System.Text.Json;
using ConnectPlus.Bench.Transactions;
using ConnectPlus.Tests.Web;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Connections;
using Microsoft.EntityFrameworkCore;
using static ConnectPlus.Tests.Api.ApiTestData;

namespace ConnectPlus.Tests.Api;

/// <summary>
/// /api/v1/connections through HTTP: create, read, update, delete and test connections by name, secrets stored
/// encrypted and never answered, errors as problem details; a Capillary connection tested against the sandbox
/// (on a real port: the connector makes its own HTTP calls) and used by an imported dataflow's run.
/// </summary>
public sealed class ConnectionApiTests(ApiHost host, KestrelSandbox sandbox) : IClassFixture<ApiHost>, IClassFixture<KestrelSandbox>, IDisposable
{
    /// <summary>The sandbox's demo OAuth client (appsettings.json, Sandbox:Clients).</summary>
    private const string SandboxKey = "sandbox-key";
    private const string SandboxSecret = "sandbox-secret";
    private const string Mask = ConnectionService.SecretMask;

    private readonly HttpClient _client = host.Client();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Create_AnswersCreatedWithItsLocation_AndTheSecretMasked_StoredOnlyEncrypted()
    {
        var name = UniqueName("Brand A / sandbox");
        var secret = NewSecret();

        var response = await _client.PostAsync("/api/v1/connections", Json(Capillary(name, secret, description: "loyalty")));

        var body = await response.ExpectAsync(201);
        Assert.Equal($"/api/v1/connections/{Uri.EscapeDataString(name)}", response.Headers.Location?.OriginalString);
        Assert.Equal((name, "capillary", "loyalty"), (Text(body, "name"), Text(body, "type"), Text(body, "description")));
        Assert.Equal(Mask, body.GetProperty("settings").GetProperty("clientSecret").GetString());
        Assert.Equal(SandboxKey, body.GetProperty("settings").GetProperty("clientKey").GetString());
        Assert.DoesNotContain(secret, body.GetRawText(), StringComparison.Ordinal);
        var row = await RowAsync(body.GetProperty("id").GetInt32());
        Assert.NotNull(row.ProtectedSecrets);
        Assert.DoesNotContain(secret, row.ProtectedSecrets, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, row.Settings, StringComparison.Ordinal);
        var byLocation = await (await _client.GetAsync(response.Headers.Location)).ExpectAsync(200);
        Assert.Equal(name, Text(byLocation, "name"));
        Assert.DoesNotContain(secret, host.Logs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAndGet_ShowTheMask_NeverTheSecret()
    {
        var name = UniqueName("Listed");
        var secret = NewSecret();
        await (await _client.PostAsync("/api/v1/connections", Json(Capillary(name, secret)))).ExpectAsync(201);

        var listResponse = await _client.GetAsync("/api/v1/connections");
        var getResponse = await _client.GetAsync($"/api/v1/connections/{Uri.EscapeDataString(name.ToUpperInvariant())}");

        var listed = (await listResponse.ExpectAsync(200)).EnumerateArray().Single(c => Text(c, "name") == name);
        var got = await getResponse.ExpectAsync(200);
        Assert.Equal(Mask, listed.GetProperty("settings").GetProperty("clientSecret").GetString());
        Assert.Equal(Mask, got.GetProperty("settings").GetProperty("clientSecret").GetString());
        Assert.Equal(name, Text(got, "name"));
        Assert.DoesNotContain(secret, await listResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await getResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_KeepsTheStoredSecret_WhenSentTheMask_AndCanRename()
    {
        var name = UniqueName("Kept");
        var secret = NewSecret();
        var created = await (await _client.PostAsync("/api/v1/connections", Json(Capillary(name, secret)))).ExpectAsync(201);
        var renamed = UniqueName("Renamed");
        var settings = Settings(created);
        settings["timeoutSeconds"] = 30;

        var updated = await (await _client.PutAsync($"/api/v1/connections/{Uri.EscapeDataString(name)}",
            Json(new { name = renamed, settings, concurrencyStamp = created.GetProperty("concurrencyStamp").GetGuid() }))).ExpectAsync(200);

        Assert.Equal(renamed, Text(updated, "name"));
        Assert.Equal(Mask, updated.GetProperty("settings").GetProperty("clientSecret").GetString());
        Assert.NotEqual(created.GetProperty("concurrencyStamp").GetGuid(), updated.GetProperty("concurrencyStamp").GetGuid());
        var resolved = await host.Service<ConnectionService>().ResolveAsync(await host.WorkspaceIdAsync(), renamed);
        Assert.Equal(secret, (string?)resolved!.Settings["clientSecret"]);
        Assert.Equal(30, (int?)resolved.Settings["timeoutSeconds"]);
        await (await _client.GetAsync($"/api/v1/connections/{Uri.EscapeDataString(name)}")).ExpectAsync(404);
    }

    [Fact]
    public async Task Update_ReplacesTheSecret_WhenSentANewOne()
    {
        var name = UniqueName("Changed");
        var created = await (await _client.PostAsync("/api/v1/connections", Json(Capillary(name, NewSecret())))).ExpectAsync(201);
        var newSecret = NewSecret();
        var settings = Settings(created);
        settings["clientSecret"] = newSecret;

        var response = await _client.PutAsync($"/api/v1/connections/{Uri.EscapeDataString(name)}", Json(new { settings }));

        var updated = await response.ExpectAsync(200);
        Assert.Equal(Mask, updated.GetProperty("settings").GetProperty("clientSecret").GetString());
        Assert.DoesNotContain(newSecret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var resolved = await host.Service<ConnectionService>().ResolveAsync(await host.WorkspaceIdAsync(), name);
        Assert.Equal(newSecret, (string?)resolved!.Settings["clientSecret"]);
        Assert.DoesNotContain(newSecret, (await RowAsync(updated.GetProperty("id").GetInt32())).ProtectedSecrets, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_AnswersConflict_WhenTheStampIsStale_AndChangesNothing()
    {
        var name = UniqueName("Stale");
        var created = await (await _client.PostAsync("/api/v1/connections", Json(Capillary(name, NewSecret())))).ExpectAsync(201);
        var stamp = created.GetProperty("concurrencyStamp").GetGuid();
        await (await _client.PutAsync($"/api/v1/connections/{Uri.EscapeDataString(name)}", Json(new { description = "first", concurrencyStamp = stamp }))).ExpectAsync(200);

        var stale = await (await _client.PutAsync($"/api/v1/connections/{Uri.EscapeDataString(name)}", Json(new { description = "second", concurrencyStamp = stamp }))).ExpectAsync(409);

        Assert.Contains("changed by someone else", stale.GetProperty("detail").GetString());
        var current = await (await _client.GetAsync($"/api/v1/connections/{Uri.EscapeDataString(name)}")).ExpectAsync(200);
        Assert.Equal("first", Text(current, "description"));
    }

    [Fact]
    public async Task CreateAndRename_AnswerConflict_WhenTheNameIsTakenIgnoringCase()
    {
        var name = UniqueName("Taken");
        var other = UniqueName("Other");
        await (await _client.PostAsync("/api/v1/connections", Json(Capillary(name, NewSecret())))).ExpectAsync(201);
        await (await _client.PostAsync("/api/v1/connections", Json(Capillary(other, NewSecret())))).ExpectAsync(201);

        var duplicate = await (await _client.PostAsync("/api/v1/connections", Json(Capillary(name.ToUpperInvariant(), NewSecret())))).ExpectAsync(409);
        var rename = await (await _client.PutAsync($"/api/v1/connections/{Uri.EscapeDataString(other)}", Json(new { name }))).ExpectAsync(409);

        Assert.Contains($"already has a connection named '{name.ToUpperInvariant()}'", duplicate.GetProperty("detail").GetString());
        Assert.Contains($"already has a connection named '{name}'", rename.GetProperty("detail").GetString());
        await (await _client.GetAsync($"/api/v1/connections/{Uri.EscapeDataString(other)}")).ExpectAsync(200);
    }

    [Fact]
    public async Task Create_AnswersBadRequestNamingTheFieldOrSetting_WhenTheTypeIsUnknown_ASettingIsMissing_OrTheNameIsEmpty()
    {
        var secret = NewSecret();
        var unknownName = UniqueName("Telnet");

        var unknown = await (await _client.PostAsync("/api/v1/connections", Json(new { name = unknownName, type = "telnet", settings = new { host = "h" } }))).ExpectAsync(400);
        var noKeyResponse = await _client.PostAsync("/api/v1/connections", Json(new
        {
            name = UniqueName("No key"), type = "capillary", settings = new { baseUrl = sandbox.CapillaryUrl, clientSecret = secret },
        }));
        var noFolderName = UniqueName("No folder");
        var noFolder = await (await _client.PostAsync("/api/v1/connections", Json(new { name = noFolderName, type = "local", settings = new { } }))).ExpectAsync(400);
        var unknownSetting = await (await _client.PostAsync("/api/v1/connections", Json(new { name = UniqueName("Bogus"), type = "local", settings = new { folder = "/tmp", bogus = 1 } }))).ExpectAsync(400);
        var noName = await (await _client.PostAsync("/api/v1/connections", Json(new { type = "local", settings = new { folder = "/tmp" } }))).ExpectAsync(400);

        Assert.Contains("'telnet' is not a connection type. Types:", Error(unknown, "type"));
        Assert.Contains("capillary", Error(unknown, "type"));
        var noKey = await noKeyResponse.ExpectAsync(400);
        Assert.Contains("clientKey: Give the OAuth client key", Error(noKey, "settings.clientKey"));
        Assert.DoesNotContain(secret, await noKeyResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal($"Connection '{noFolderName}' is not complete: folder: Give the folder's path.", Error(noFolder, "settings.folder"));
        Assert.Contains("'bogus' is not a setting of Local folder connections. Known settings: folder.", Error(unknownSetting, "settings.bogus"));
        Assert.Equal("Give the connection a name.", Error(noName, "name"));
        await (await _client.GetAsync($"/api/v1/connections/{Uri.EscapeDataString(unknownName)}")).ExpectAsync(404);
    }

    [Fact]
    public async Task Endpoints_AnswerUnauthorized_WithoutAnApiKey_AndCreateNothing()
    {
        var name = UniqueName("Keyless");
        await (await _client.PostAsync("/api/v1/connections", Json(Local(name, host.Folder["keyless"])))).ExpectAsync(201);
        using var anonymous = host.Client(key: null);
        var path = $"/api/v1/connections/{Uri.EscapeDataString(name)}";

        await (await anonymous.GetAsync("/api/v1/connections")).ExpectAsync(401);
        await (await anonymous.PostAsync("/api/v1/connections", Json(Local(name + " 2", host.Folder["keyless"])))).ExpectAsync(401);
        await (await anonymous.GetAsync(path)).ExpectAsync(401);
        await (await anonymous.PutAsync(path, Json(new { description = "x" }))).ExpectAsync(401);
        await (await anonymous.DeleteAsync(path)).ExpectAsync(401);
        await (await anonymous.PostAsync(path + "/test", null)).ExpectAsync(401);

        await (await _client.GetAsync($"/api/v1/connections/{Uri.EscapeDataString(name + " 2")}")).ExpectAsync(404);
        var kept = await (await _client.GetAsync(path)).ExpectAsync(200);
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("description").ValueKind);
    }

    [Fact]
    public async Task Connections_OfAnotherWorkspace_CannotBeSeenChangedDeletedOrTested()
    {
        // Two workspaces leave no default one for the tests' main client: this test has a host of its own.
        var isolated = new ApiHost();
        try
        {
            using var ours = isolated.Client();
            const string name = "brand-files";
            var folder = Directory.CreateDirectory(isolated.Folder["ours"]).FullName;
            await (await ours.PostAsync("/api/v1/connections", Json(Local(name, folder)))).ExpectAsync(201);
            var ourWorkspace = await isolated.WorkspaceIdAsync();
            await isolated.CreateWorkspaceAsync(ApiHost.OtherWorkspace);
            using var theirs = isolated.Client(ApiHost.OtherKey);
            var path = $"/api/v1/connections/{name}";

            var listed = await (await theirs.GetAsync("/api/v1/connections")).ExpectAsync(200);
            await (await theirs.GetAsync(path)).ExpectAsync(404);
            await (await theirs.PutAsync(path, Json(new { description = "theirs now" }))).ExpectAsync(404);
            await (await theirs.PostAsync(path + "/test", null)).ExpectAsync(404);
            await (await theirs.DeleteAsync(path)).ExpectAsync(404);
            var ownCopy = await (await theirs.PostAsync("/api/v1/connections", Json(Local(name, isolated.Folder["theirs"])))).ExpectAsync(201);

            Assert.Empty(listed.EnumerateArray());
            Assert.NotEqual(ourWorkspace, ownCopy.GetProperty("workspaceId").GetInt32());
            var still = await isolated.Service<ConnectionService>().FindAsync(ourWorkspace, name);
            Assert.Equal(folder, (string?)still!.Settings["folder"]);
            Assert.Null(still.Description);
        }
        finally
        {
            await isolated.DisposeAsync();
        }
    }

    [Fact]
    public async Task Delete_AnswersNoContent_ThenNotFound_ForEveryEndpointOfTheName()
    {
        var name = UniqueName("Deleted");
        await (await _client.PostAsync("/api/v1/connections", Json(Local(name, host.Folder["deleted"])))).ExpectAsync(201);
        var path = $"/api/v1/connections/{Uri.EscapeDataString(name)}";

        var deleted = await _client.DeleteAsync(path);

        await deleted.ExpectAsync(204);
        var get = await (await _client.GetAsync(path)).ExpectAsync(404);
        Assert.Contains($"no connection named '{name}'", get.GetProperty("detail").GetString());
        await (await _client.DeleteAsync(path)).ExpectAsync(404);
        await (await _client.PutAsync(path, Json(new { description = "x" }))).ExpectAsync(404);
        await (await _client.PostAsync(path + "/test", null)).ExpectAsync(404);
        Assert.Null(await host.Service<ConnectionService>().FindAsync(await host.WorkspaceIdAsync(), name));
    }

    [Fact]
    public async Task Test_AnswersOk_ForACapillaryConnectionToTheSandbox()
    {
        var name = UniqueName("Sandbox ok");
        await (await _client.PostAsync("/api/v1/connections", Json(Capillary(name, SandboxSecret)))).ExpectAsync(201);

        var result = await (await _client.PostAsync($"/api/v1/connections/{Uri.EscapeDataString(name)}/test", null)).ExpectAsync(200);

        Assert.True(result.GetProperty("ok").GetBoolean(), result.GetRawText());
        Assert.Equal($"Connection '{name}' works.", Text(result, "message"));
    }

    [Fact]
    public async Task Test_AnswersNotOk_WithTheReason_WhenTheSandboxRefusesTheSecret()
    {
        var name = UniqueName("Sandbox wrong");
        var wrong = NewSecret();
        await (await _client.PostAsync("/api/v1/connections", Json(Capillary(name, wrong)))).ExpectAsync(201);

        var response = await _client.PostAsync($"/api/v1/connections/{Uri.EscapeDataString(name)}/test", null);

        var result = await response.ExpectAsync(200);
        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Contains($"Capillary refused the client key '{SandboxKey}'", Text(result, "message"));
        Assert.Contains("Check the client key and secret.", Text(result, "message"));
        Assert.DoesNotContain(wrong, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, host.Logs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_MasksASecret_WhenTheReasonQuotesIt()
    {
        // The reason quotes the client key; a key that is also the secret must not come back through it.
        var name = UniqueName("Key is secret");
        var secret = NewSecret();
        var body = new
        {
            name, type = "capillary", settings = new { baseUrl = sandbox.CapillaryUrl, clientKey = secret, clientSecret = secret },
        };
        await (await _client.PostAsync("/api/v1/connections", Json(body))).ExpectAsync(201);

        var response = await _client.PostAsync($"/api/v1/connections/{Uri.EscapeDataString(name)}/test", null);

        var result = await response.ExpectAsync(200);
        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Contains($"Capillary refused the client key '{Mask}'", Text(result, "message"));
        Assert.DoesNotContain(secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_AnswersNotOk_WhenTheLocalFolderIsMissing_AndOk_OnceItExists()
    {
        var name = UniqueName("Missing folder");
        var folder = Path.Combine(host.Folder[Guid.NewGuid().ToString("N")], "not-there");
        await (await _client.PostAsync("/api/v1/connections", Json(Local(name, folder)))).ExpectAsync(201);
        var path = $"/api/v1/connections/{Uri.EscapeDataString(name)}/test";

        var missing = await (await _client.PostAsync(path, null)).ExpectAsync(200);
        Directory.CreateDirectory(folder);
        var present = await (await _client.PostAsync(path, null)).ExpectAsync(200);

        Assert.False(missing.GetProperty("ok").GetBoolean());
        Assert.Equal($"The folder {folder} does not exist.", Text(missing, "message"));
        Assert.True(present.GetProperty("ok").GetBoolean(), present.GetRawText());
    }

    [Fact]
    public async Task ConnectionCreatedThroughTheApi_IsUsedByAnImportedDataflow_WhoseRunTriggeredThroughTheApiSucceeds()
    {
        const int members = 10;
        using var sandboxApi = sandbox.Api();
        await SandboxBills.PrepareAsync(sandboxApi, members, latencyMs: 0);
        var folder = host.Folder[Guid.NewGuid().ToString("N")];
        var input = Directory.CreateDirectory(Path.Combine(folder, "in")).FullName;
        var generated = TransactionsGenerator.Generate(
            new TransactionsOptions { Bills = 30, OutputFile = Path.Combine(input, "bills.csv"), Members = members, Seed = 3, BadShare = 0 }, CancellationToken.None);
        var connection = UniqueName("capillary");
        await (await _client.PostAsync("/api/v1/connections", Json(Capillary(connection, SandboxSecret)))).ExpectAsync(201);
        var dataflowId = await _client.PublishCapillarySampleAsync(input, Path.Combine(folder, "out"), connection);

        var runId = (await (await _client.PostAsync($"/api/v1/dataflows/{dataflowId}/runs", null)).ExpectAsync(202)).GetProperty("runId").GetInt64();

        var run = await _client.WaitForRunEndAsync(runId);
        Assert.Equal("Succeeded", run.GetProperty("run").GetProperty("status").GetString());
        var bills = await SandboxBills.CountAsync(sandboxApi);
        Assert.Equal(generated.Bills, bills.Count);
        Assert.All(bills.Values, n => Assert.Equal(1, n));
    }

    private object Capillary(string name, string secret, string? description = null) => new
    {
        name,
        type = "capillary",
        description,
        settings = new { baseUrl = sandbox.CapillaryUrl, auth = "oauth", clientKey = SandboxKey, clientSecret = secret },
    };

    private static object Local(string name, string folder) => new { name, type = "local", settings = new { folder } };

    /// <summary>A secret no answer, row or log line can hold by chance.</summary>
    private static string NewSecret() => $"s3cret-{Guid.NewGuid():N}";

    private static System.Text.Json.Nodes.JsonObject Settings(JsonElement view) =>
        System.Text.Json.Nodes.JsonNode.Parse(view.GetProperty("settings").GetRawText())!.AsObject();

    private static string? Text(JsonElement element, string property) => element.GetProperty(property).GetString();

    private static string Error(JsonElement problem, string key)
    {
        Assert.True(problem.GetProperty("errors").TryGetProperty(key, out var messages), $"no error for '{key}': {problem}");
        return messages[0].GetString()!;
    }

    private async Task<Connection> RowAsync(int id)
    {
        await using var db = await host.Service<IDbContextFactory<ConnectPlusDbContext>>().CreateDbContextAsync();
        return await db.Connections.AsNoTracking().SingleAsync(c => c.Id == id);
    }
}
