using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Tests.Runs;
using ConnectPlus.Tests.Web;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Connections;
using ConnectPlus.Web.Features.Workspaces;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectPlus.Tests.Api;

/// <summary>
/// The app hosted for API tests: its own SQLite database (<see cref="ConnectPlusWebFactory"/>), one API client
/// configured (<see cref="ClientName"/> with <see cref="Key"/>), runs written to a temp folder. One per test class.
/// </summary>
public sealed class ApiHost : IAsyncLifetime
{
    public const string ClientName = "ci-tests";
    public const string Key = "k3y-for-the-api-tests-0123456789";

    /// <summary>A client whose key names a workspace that does not exist.</summary>
    public const string LostClientName = "lost-client";
    public const string LostKey = "k3y-of-a-client-with-no-workspace";

    /// <summary>
    /// A client of the workspace <see cref="OtherWorkspace"/>, which exists only once a test creates it
    /// (<see cref="CreateWorkspaceAsync"/>). Then the default workspace is ambiguous and the <see cref="ClientName"/>
    /// client gets 403: a test that needs both uses a host of its own.
    /// </summary>
    public const string OtherClientName = "other-team";
    public const string OtherKey = "k3y-of-the-other-team-0123456789";
    public const string OtherWorkspace = "Other team";

    private readonly ConnectPlusWebFactory _root = new();

    public ApiHost()
    {
        Factory = _root.WithWebHostBuilder(b => b
            .UseSetting($"Api:Keys:{ClientName}", Key)
            .UseSetting($"Api:Keys:{LostClientName}:Key", LostKey)
            .UseSetting($"Api:Keys:{LostClientName}:Workspace", "No such workspace")
            .UseSetting($"Api:Keys:{OtherClientName}:Key", OtherKey)
            .UseSetting($"Api:Keys:{OtherClientName}:Workspace", OtherWorkspace)
            .UseSetting("Engine:RunsFolder", Folder["runs"])
            .UseSetting("Engine:WorkFolder", Folder["work"])
            .ConfigureLogging(l => l.AddProvider(Logs)));
    }

    /// <summary>What the app logged (at its configured levels), to check that no secret gets there.</summary>
    public ListLoggerProvider Logs { get; } = new();

    public WebApplicationFactory<Program> Factory { get; }

    /// <summary>Files of the tests (connections' folders, runs).</summary>
    public TempFolder Folder { get; } = new();

    /// <summary>A client sending <paramref name="key"/> in X-Api-Key (none when null).</summary>
    public HttpClient Client(string? key = Key)
    {
        var client = Factory.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public T Service<T>() where T : notnull => Factory.Services.GetRequiredService<T>();

    /// <summary>The workspace the API key works in (the default one).</summary>
    public Task<int> WorkspaceIdAsync() => Service<WorkspaceDirectory>().ResolveAsync(null);

    /// <summary>Adds a workspace; its id.</summary>
    public async Task<int> CreateWorkspaceAsync(string name)
    {
        await using var db = await Service<IDbContextFactory<ConnectPlusDbContext>>().CreateDbContextAsync();
        var workspace = new Workspace { Name = name, Created = DateTimeOffset.UtcNow };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        return workspace.Id;
    }

    /// <summary>A local-folder connection in the API's workspace, unless it exists.</summary>
    public async Task<string> LocalConnectionAsync(string name, string folder)
    {
        var workspace = await WorkspaceIdAsync();
        var connections = Service<ConnectionService>();
        Directory.CreateDirectory(folder);
        if (await connections.FindAsync(workspace, name) is null)
            await connections.CreateAsync(workspace, new ConnectionInput { Name = name, Type = "local", Settings = new JsonObject { ["folder"] = folder } });
        return name;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await DisposeFactoryAsync(_root);
        Folder.Dispose();
    }

    /// <summary>Disposes a factory (stopping its host, then the app's own stop, must both go through).</summary>
    public static async Task DisposeFactoryAsync(WebApplicationFactory<Program> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        await factory.DisposeAsync();
    }
}

/// <summary>Reading API answers and building test definitions.</summary>
internal static class ApiTestData
{
    /// <summary>A unique dataflow name, so tests sharing a host do not collide.</summary>
    public static string UniqueName(string prefix) => $"{prefix} {Guid.NewGuid():N}"[..(prefix.Length + 9)];

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrWhiteSpace(text), $"{(int)response.StatusCode}: empty body");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts the status, and that an error answer is a problem document; returns the body.</summary>
    public static async Task<JsonElement> ExpectAsync(this HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        if (status >= 400) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return string.IsNullOrWhiteSpace(body) ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>file-source (connection <paramref name="source"/>) → read-csv → write-csv → file-destination (connection <paramref name="target"/>).</summary>
    public static JsonObject CopyCsvDefinition(string source, string target, string name = "copy") => new()
    {
        ["formatVersion"] = 1,
        ["name"] = name,
        ["nodes"] = new JsonArray(
            Node("source", "file-source", new JsonObject { ["connection"] = source, ["fileNamePattern"] = "\\.csv$" }),
            Node("read", "read-csv", []),
            Node("write", "write-csv", new JsonObject { ["fileNameTemplate"] = "copy.csv" }),
            Node("destination", "file-destination", new JsonObject { ["connection"] = target })),
        ["edges"] = new JsonArray(Edge("source:files", "read:files"), Edge("read:records", "write:records"), Edge("write:files", "destination:files")),
    };

    /// <summary>A read-csv block alone: its required input is not linked (an issue on nodes[read].ports.files).</summary>
    public static JsonObject UnlinkedDefinition() => new()
    {
        ["formatVersion"] = 1,
        ["name"] = "unlinked",
        ["nodes"] = new JsonArray(Node("read", "read-csv", [])),
        ["edges"] = new JsonArray(),
    };

    public static JsonContent Json(object body) => JsonContent.Create(body);

    /// <summary>Polls GET /api/v1/runs/{id} until the run is no longer queued or running; its last answer.</summary>
    public static async Task<JsonElement> WaitForRunEndAsync(this HttpClient client, long runId)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var run = await (await client.GetAsync($"/api/v1/runs/{runId}")).ExpectAsync(200);
            if (run.GetProperty("run").GetProperty("status").GetString() is not ("Queued" or "Running")) return run;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"Run {runId} did not end: {run}");
            await Task.Delay(200);
        }
    }

    /// <summary>A sample definition from samples/ (comments allowed).</summary>
    public static async Task<JsonNode> SampleAsync(string fileName) =>
        JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(SamplesFolder(), fileName)),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;

    /// <summary>Sets a block's setting in a definition.</summary>
    public static void Setting(JsonNode definition, string nodeId, string setting, string value) =>
        definition["nodes"]!.AsArray().Single(n => (string?)n!["id"] == nodeId)!["settings"]![setting] = value;

    /// <summary>
    /// Imports and publishes samples/transactions-to-capillary.json reading <paramref name="input"/>, delivering to
    /// <paramref name="output"/> through Capillary connection <paramref name="connection"/>; returns the dataflow's id.
    /// </summary>
    public static async Task<int> PublishCapillarySampleAsync(this HttpClient client, string input, string output, string connection)
    {
        var sample = await SampleAsync("transactions-to-capillary.json");
        Setting(sample, "source", "folder", input);
        Setting(sample, "destination", "folder", output);
        Setting(sample, "capillary", "connection", connection);
        var imported = await (await client.PostAsync($"/api/v1/dataflows/import?publish=true&name={Uri.EscapeDataString(UniqueName("Bills"))}",
            new StringContent(sample.ToJsonString(), System.Text.Encoding.UTF8, "application/json"))).ExpectAsync(201);
        return imported.GetProperty("saved").GetProperty("dataflowId").GetInt32();
    }

    public static string SamplesFolder([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "samples"));

    private static JsonObject Node(string id, string type, JsonObject settings) =>
        new() { ["id"] = id, ["type"] = type, ["version"] = 1, ["settings"] = settings };

    private static JsonObject Edge(string from, string to) => new() { ["from"] = from, ["to"] = to };
}
