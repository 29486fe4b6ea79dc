using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Model;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;
using static ConnectPlus.Tests.Api.ApiTestData;

namespace ConnectPlus.Tests.Api;

/// <summary>/api/v1/dataflows through HTTP: every endpoint's answer, and its errors as problem details.</summary>
public sealed class DataflowApiTests(ApiHost host) : IClassFixture<ApiHost>, IDisposable
{
    private static readonly string[] LoyaltyTags = ["loyalty", "nightly"];
    private static readonly string[] SixTags = ["a", "b", "c", "d", "e", "f"];
    private static readonly string[] XTag = ["x"];
    private readonly HttpClient _client = host.Client();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Create_AnswersCreatedWithADraftFirstVersion_AndTheClientAsAuthor()
    {
        var name = UniqueName("Nightly members");

        var response = await _client.PostAsync("/api/v1/dataflows", Json(new { name, description = "members", tags = LoyaltyTags }));

        var body = await response.ExpectAsync(201);
        var id = body.GetProperty("dataflow").GetProperty("id").GetInt32();
        Assert.Equal($"/api/v1/dataflows/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(name, body.GetProperty("dataflow").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("dataflow").GetProperty("publishedVersion").ValueKind);
        var version = Assert.Single(body.GetProperty("versions").EnumerateArray());
        Assert.Equal(1, version.GetProperty("number").GetInt32());
        Assert.Equal("Draft", version.GetProperty("state").GetString());
        Assert.Equal(ApiHost.ClientName, version.GetProperty("author").GetString());
    }

    [Fact]
    public async Task Create_AnswersConflict_WhenTheNameIsTakenIgnoringCase()
    {
        var name = UniqueName("Taken");
        (await _client.PostAsync("/api/v1/dataflows", Json(new { name }))).EnsureSuccessStatusCode();

        var body = await (await _client.PostAsync("/api/v1/dataflows", Json(new { name = name.ToUpperInvariant() }))).ExpectAsync(409);

        Assert.Contains("already has a dataflow named", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Create_AnswersBadRequestPerField_WhenTheNameIsMissingOrTagsAreTooMany()
    {
        var noName = await (await _client.PostAsync("/api/v1/dataflows", Json(new { description = "x" }))).ExpectAsync(400);
        var tooManyTags = await (await _client.PostAsync("/api/v1/dataflows", Json(new { name = UniqueName("Tags"), tags = SixTags }))).ExpectAsync(400);

        Assert.Contains("name", noName.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Contains("keep at most 5", tooManyTags.GetProperty("errors").GetProperty("tags")[0].GetString());
    }

    [Theory]
    [InlineData("{ \"name\": ", "not valid JSON")]
    [InlineData("", "Send a JSON body")]
    [InlineData("{ \"name\": \"x\", \"tags\": \"one\" }", "$.tags")]
    public async Task Create_AnswersBadRequest_WhenTheBodyIsNotTheExpectedJson(string body, string expected)
    {
        var response = await _client.PostAsync("/api/v1/dataflows", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await response.ExpectAsync(400);
        Assert.Contains(expected, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task List_FiltersByNameTagAndActive_AndPages()
    {
        var prefix = UniqueName("Listed");
        for (var i = 0; i < 3; i++)
            (await _client.PostAsync("/api/v1/dataflows", Json(new { name = $"{prefix} {i}", tags = new[] { i == 1 ? "Odd" : "even" }, isActive = i != 2 }))).EnsureSuccessStatusCode();

        var byName = await (await _client.GetAsync($"/api/v1/dataflows?name={Uri.EscapeDataString(prefix.ToLowerInvariant())}&pageSize=2")).ExpectAsync(200);
        var secondPage = await (await _client.GetAsync($"/api/v1/dataflows?name={Uri.EscapeDataString(prefix)}&pageSize=2&page=2")).ExpectAsync(200);
        var byTag = await (await _client.GetAsync($"/api/v1/dataflows?name={Uri.EscapeDataString(prefix)}&tag=ODD")).ExpectAsync(200);
        var inactive = await (await _client.GetAsync($"/api/v1/dataflows?name={Uri.EscapeDataString(prefix)}&active=false")).ExpectAsync(200);

        Assert.Equal(3, byName.GetProperty("total").GetInt32());
        Assert.Equal([$"{prefix} 0", $"{prefix} 1"], byName.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.Equal([$"{prefix} 2"], secondPage.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.Equal([$"{prefix} 1"], byTag.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.Equal([$"{prefix} 2"], inactive.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task List_AnswersBadRequest_WhenThePageSizeIsOutOfRange()
    {
        var problem = await (await _client.GetAsync("/api/v1/dataflows?pageSize=1000")).ExpectAsync(400);

        Assert.True(problem.GetProperty("errors").TryGetProperty("pageSize", out _));
    }

    [Fact]
    public async Task Get_AnswersNotFound_ForAnUnknownDataflow()
    {
        var problem = await (await _client.GetAsync("/api/v1/dataflows/987654")).ExpectAsync(404);

        Assert.Contains("no dataflow 987654", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Update_ChangesTheFieldsGiven_WithTheCurrentStamp_AndAnswersConflict_WithAStaleOne()
    {
        var (id, stamp) = await CreateAsync(UniqueName("Update me"));
        var renamed = UniqueName("Renamed");

        var updated = await (await _client.PutAsync($"/api/v1/dataflows/{id}", Json(new { name = renamed, tags = XTag, isActive = false, concurrencyStamp = stamp }))).ExpectAsync(200);
        var stale = await (await _client.PutAsync($"/api/v1/dataflows/{id}", Json(new { name = "again", isActive = true, concurrencyStamp = stamp }))).ExpectAsync(409);
        var partial = await (await _client.PutAsync($"/api/v1/dataflows/{id}", Json(new { description = "only this", concurrencyStamp = updated.GetProperty("concurrencyStamp").GetString() }))).ExpectAsync(200);
        var withoutStamp = await (await _client.PutAsync($"/api/v1/dataflows/{id}", Json(new { name = "again" }))).ExpectAsync(400);

        Assert.Equal(renamed, updated.GetProperty("name").GetString());
        Assert.False(updated.GetProperty("isActive").GetBoolean());
        Assert.NotEqual(stamp, updated.GetProperty("concurrencyStamp").GetString());
        Assert.Contains("changed by someone else", stale.GetProperty("detail").GetString());
        Assert.Equal(("only this", renamed, false), (partial.GetProperty("description").GetString(), partial.GetProperty("name").GetString(), partial.GetProperty("isActive").GetBoolean()));
        Assert.True(withoutStamp.GetProperty("errors").TryGetProperty("concurrencyStamp", out _));
        var current = await (await _client.GetAsync($"/api/v1/dataflows/{id}")).ExpectAsync(200);
        Assert.Equal(renamed, current.GetProperty("dataflow").GetProperty("name").GetString());
    }

    [Fact]
    public async Task SaveVersion_KeepsADraftWithIssues_AndListsThemWithBlockPortAndSetting()
    {
        var (id, _) = await CreateAsync(UniqueName("Issues"));
        var definition = UnlinkedDefinition();
        ((JsonObject)definition["nodes"]![0]!)["settings"] = new JsonObject { ["delimiter"] = "", ["noSuchSetting"] = 1 };

        var response = await _client.PostAsync($"/api/v1/dataflows/{id}/versions", Json(new { definition, comment = "half done" }));

        var saved = await response.ExpectAsync(201);
        Assert.Equal(2, saved.GetProperty("version").GetProperty("number").GetInt32());
        Assert.Equal("Draft", saved.GetProperty("version").GetProperty("state").GetString());
        Assert.False(saved.GetProperty("canPublish").GetBoolean());
        var issues = saved.GetProperty("issues").EnumerateArray().ToList();
        Assert.Contains(issues, i => i.GetProperty("nodeId").GetString() == "read" && i.GetProperty("port").GetString() == "files");
        Assert.Contains(issues, i => i.GetProperty("nodeId").GetString() == "read" && i.GetProperty("setting").GetString() == "noSuchSetting");
        Assert.EndsWith($"/api/v1/dataflows/{id}/versions/2/export", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SaveVersion_AnswersBadRequest_WhenTheDefinitionIsMissingOrOfANewerFormat()
    {
        var (id, _) = await CreateAsync(UniqueName("Bad definition"));

        var missing = await (await _client.PostAsync($"/api/v1/dataflows/{id}/versions", Json(new { comment = "no definition" }))).ExpectAsync(400);
        var newer = await (await _client.PostAsync($"/api/v1/dataflows/{id}/versions", Json(new { definition = new { formatVersion = 99, nodes = Array.Empty<object>() } }))).ExpectAsync(400);
        var unknown = await (await _client.PostAsync("/api/v1/dataflows/987654/versions", Json(new { definition = UnlinkedDefinition() }))).ExpectAsync(404);

        Assert.True(missing.GetProperty("errors").TryGetProperty("definition", out _));
        Assert.Contains("formatVersion 99", newer.GetProperty("detail").GetString());
        Assert.Contains("987654", unknown.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Publish_IsRefusedWithTheIssues_WhenTheVersionHasAny()
    {
        var (id, _) = await CreateAsync(UniqueName("Refused"), UnlinkedDefinition());

        var problem = await (await _client.PostAsync($"/api/v1/dataflows/{id}/versions/1/publish", null)).ExpectAsync(400);

        Assert.Contains("cannot be published", problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("nodes[read].ports.files", out _));
        Assert.Contains(problem.GetProperty("issues").EnumerateArray(), i => i.GetProperty("port").GetString() == "files");
        var details = await (await _client.GetAsync($"/api/v1/dataflows/{id}")).ExpectAsync(200);
        Assert.Equal("Draft", details.GetProperty("versions")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Publish_ArchivesThePreviouslyPublishedVersion_HonoursTheVersionStamp_AndRollsBack()
    {
        var folder = host.Folder[Guid.NewGuid().ToString("N")];
        var source = await host.LocalConnectionAsync("publish-in", Path.Combine(folder, "in"));
        var target = await host.LocalConnectionAsync("publish-out", Path.Combine(folder, "out"));
        var (id, _) = await CreateAsync(UniqueName("Publish"), CopyCsvDefinition(source, target));
        (await _client.PostAsync($"/api/v1/dataflows/{id}/versions", Json(new { definition = CopyCsvDefinition(source, target) }))).EnsureSuccessStatusCode();
        var versions = (await (await _client.GetAsync($"/api/v1/dataflows/{id}")).ExpectAsync(200)).GetProperty("versions");
        var stampOf2 = versions[0].GetProperty("concurrencyStamp").GetString();

        var first = await (await _client.PostAsync($"/api/v1/dataflows/{id}/versions/1/publish", null)).ExpectAsync(200);
        var second = await (await _client.PostAsync($"/api/v1/dataflows/{id}/versions/2/publish", Json(new { concurrencyStamp = stampOf2 }))).ExpectAsync(200);
        var stale = await (await _client.PostAsync($"/api/v1/dataflows/{id}/versions/1/publish", Json(new { concurrencyStamp = first.GetProperty("concurrencyStamp").GetString() }))).ExpectAsync(409);
        var unknown = await (await _client.PostAsync($"/api/v1/dataflows/{id}/versions/9/publish", null)).ExpectAsync(404);

        Assert.Equal("Published", second.GetProperty("state").GetString());
        var after = await (await _client.GetAsync($"/api/v1/dataflows/{id}")).ExpectAsync(200);
        Assert.Equal(2, after.GetProperty("dataflow").GetProperty("publishedVersion").GetInt32());
        Assert.Equal(["Published", "Archived"], after.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("state").GetString()));
        Assert.Contains("changed by someone else", stale.GetProperty("detail").GetString());
        Assert.Contains("no version 9", unknown.GetProperty("detail").GetString());
        var rollback = await (await _client.PostAsync($"/api/v1/dataflows/{id}/versions/1/publish", null)).ExpectAsync(200);
        Assert.Equal("Published", rollback.GetProperty("state").GetString());
        var rolledBack = await (await _client.GetAsync($"/api/v1/dataflows/{id}")).ExpectAsync(200);
        Assert.Equal(["Archived", "Published"], rolledBack.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("state").GetString()));
        await using var db = await host.Service<IDbContextFactory<ConnectPlusDbContext>>().CreateDbContextAsync();
        var actions = await db.AuditEntries.Where(a => a.EntityType == "Dataflow" && a.EntityId == id.ToString()).Select(a => a.Action).ToListAsync();
        Assert.Equal(["dataflow.created", "dataflow.version-saved", "dataflow.published", "dataflow.published", "dataflow.published"], actions);
    }

    [Fact]
    public async Task Export_DownloadsTheDefinitionJson_WithConnectionsByNameAndNoSecret()
    {
        var folder = host.Folder[Guid.NewGuid().ToString("N")];
        var source = await host.LocalConnectionAsync("export-in", Path.Combine(folder, "in"));
        var name = UniqueName("Exported");
        var (id, _) = await CreateAsync(name, CopyCsvDefinition(source, source, name: "old name"));

        var response = await _client.GetAsync($"/api/v1/dataflows/{id}/versions/1/export");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".v1.json", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var definition = DataflowJson.Deserialize(await response.Content.ReadAsStringAsync());
        Assert.Equal(name, definition.Name);
        Assert.Equal(source, definition.FindNode("source")!.Settings["connection"]!.GetValue<string>());
        Assert.Equal(404, (int)(await _client.GetAsync($"/api/v1/dataflows/{id}/versions/5/export")).StatusCode);
    }

    [Fact]
    public async Task Import_CreatesADataflowFromTheBody_ThenAddsAVersionOnTheNextImportOfTheSameName()
    {
        var folder = host.Folder[Guid.NewGuid().ToString("N")];
        var source = await host.LocalConnectionAsync("import-in", Path.Combine(folder, "in"));
        var name = UniqueName("Imported");
        var json = CopyCsvDefinition(source, source, name).ToJsonString();

        var first = await _client.PostAsync("/api/v1/dataflows/import?comment=from%20git", new StringContent(json, Encoding.UTF8, "application/json"));
        var second = await _client.PostAsync("/api/v1/dataflows/import?publish=true", new StringContent(json, Encoding.UTF8, "application/json"));

        var created = await first.ExpectAsync(201);
        var added = await second.ExpectAsync(200);
        Assert.True(created.GetProperty("created").GetBoolean());
        Assert.False(added.GetProperty("created").GetBoolean());
        var id = created.GetProperty("saved").GetProperty("dataflowId").GetInt32();
        Assert.Equal(id, added.GetProperty("saved").GetProperty("dataflowId").GetInt32());
        Assert.Equal(2, added.GetProperty("saved").GetProperty("version").GetProperty("number").GetInt32());
        Assert.Equal("Published", added.GetProperty("saved").GetProperty("version").GetProperty("state").GetString());
        Assert.Equal("from git", created.GetProperty("saved").GetProperty("version").GetProperty("comment").GetString());
    }

    [Fact]
    public async Task Import_TakesAnUploadedFile_AsANewVersionOfTheDataflowNamed()
    {
        var folder = host.Folder[Guid.NewGuid().ToString("N")];
        var source = await host.LocalConnectionAsync("upload-in", Path.Combine(folder, "in"));
        var (id, _) = await CreateAsync(UniqueName("Uploaded"));
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(CopyCsvDefinition(source, source, "any name").ToJsonString()));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(file, "file", "flow.json");

        var response = await _client.PostAsync($"/api/v1/dataflows/import?dataflowId={id}", form);

        var result = await response.ExpectAsync(200);
        Assert.Equal(2, result.GetProperty("saved").GetProperty("version").GetProperty("number").GetInt32());
        Assert.Empty(result.GetProperty("saved").GetProperty("issues").EnumerateArray());
    }

    [Fact]
    public async Task Import_IsRefused_ListingEveryMissingConnectionWithItsBlocksAndSettings()
    {
        var name = UniqueName("Missing connections");
        var json = CopyCsvDefinition("nowhere-sftp", "nowhere-s3", name).ToJsonString();

        var problem = await (await _client.PostAsync("/api/v1/dataflows/import", new StringContent(json, Encoding.UTF8, "application/json"))).ExpectAsync(400);

        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("'nowhere-sftp' (used by block 'source', setting 'connection')", detail);
        Assert.Contains("'nowhere-s3' (used by block 'destination', setting 'connection')", detail);
        Assert.True(problem.GetProperty("errors").TryGetProperty("nodes[source].settings.connection", out _));
        Assert.Equal(["nowhere-sftp", "nowhere-s3"], problem.GetProperty("missingConnections").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        var list = await (await _client.GetAsync($"/api/v1/dataflows?name={Uri.EscapeDataString(name)}")).ExpectAsync(200);
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Import_AnswersBadRequest_ForJsonThatIsNotADefinition_AndWithPublish_ForADefinitionWithIssues()
    {
        var notJson = await (await _client.PostAsync("/api/v1/dataflows/import", new StringContent("{ nodes: ", Encoding.UTF8, "application/json"))).ExpectAsync(400);
        var withIssues = await (await _client.PostAsync("/api/v1/dataflows/import?publish=true&name=" + Uri.EscapeDataString(UniqueName("Issues")),
            new StringContent(UnlinkedDefinition().ToJsonString(), Encoding.UTF8, "application/json"))).ExpectAsync(400);

        Assert.Contains("not valid JSON", notJson.GetProperty("detail").GetString());
        Assert.True(withIssues.GetProperty("errors").TryGetProperty("nodes[read].ports.files", out _));
    }

    [Fact]
    public async Task Delete_RemovesTheDataflow_AndIsRefusedWhileARunIsQueued()
    {
        var (id, _) = await CreateAsync(UniqueName("Deleted"));
        var (busy, _) = await CreateAsync(UniqueName("Busy"));
        await QueueRunRowAsync(busy);

        var deleted = await _client.DeleteAsync($"/api/v1/dataflows/{id}");
        var refused = await (await _client.DeleteAsync($"/api/v1/dataflows/{busy}")).ExpectAsync(409);

        Assert.Equal(204, (int)deleted.StatusCode);
        await (await _client.GetAsync($"/api/v1/dataflows/{id}")).ExpectAsync(404);
        await (await _client.DeleteAsync($"/api/v1/dataflows/{id}")).ExpectAsync(404);
        Assert.Contains("queued or running", refused.GetProperty("detail").GetString());
    }

    private async Task<(int Id, string Stamp)> CreateAsync(string name, JsonObject? definition = null)
    {
        var body = await (await _client.PostAsync("/api/v1/dataflows", Json(new { name, definition }))).ExpectAsync(201);
        var dataflow = body.GetProperty("dataflow");
        return (dataflow.GetProperty("id").GetInt32(), dataflow.GetProperty("concurrencyStamp").GetString()!);
    }

    /// <summary>A queued run row, as a trigger leaves it (the executor is not what these tests are about).</summary>
    private async Task QueueRunRowAsync(int dataflowId)
    {
        await using var db = await host.Service<IDbContextFactory<ConnectPlusDbContext>>().CreateDbContextAsync();
        var version = await db.DataflowVersions.Where(v => v.DataflowId == dataflowId).Select(v => v.Id).FirstAsync();
        db.Runs.Add(new Run { Key = Guid.NewGuid().ToString("N"), DataflowId = dataflowId, DataflowVersionId = version, Trigger = RunTrigger.Manual, Queued = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
    }
}
