using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Bench.Transactions;
using ConnectPlus.Tests.Bench;
using ConnectPlus.Tests.Web;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;
using static ConnectPlus.Tests.Api.ApiTestData;

namespace ConnectPlus.Tests.Api;

/// <summary>
/// /api/v1/runs and /api/v1/dataflows/{id}/runs through HTTP, with the real run requests and executor: import,
/// publish, trigger, follow, download the error file, read the log, cancel, and the skipped and missing cases.
/// </summary>
public sealed class RunApiTests(ApiHost host, KestrelSandbox sandbox) : IClassFixture<ApiHost>, IClassFixture<KestrelSandbox>, IDisposable
{
    private readonly HttpClient _client = host.Client();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task TransactionsSample_ImportedPublishedAndTriggered_EndsWithErrors_AndItsErrorFileDownloads()
    {
        var folder = host.Folder[Guid.NewGuid().ToString("N")];
        Directory.CreateDirectory(Path.Combine(folder, "in"));
        var generated = TransactionsGenerator.Generate(
            new TransactionsOptions { Bills = 200, OutputFile = Path.Combine(folder, "in", "bills.csv"), BadShare = 0.05, Seed = 5 }, CancellationToken.None);
        var bad = generated.BadBills.GetValueOrDefault(BadBillKind.BadDate) + generated.BadBills.GetValueOrDefault(BadBillKind.MissingMobile);
        Assert.True(bad > 0, "The seed should give bills the payload block refuses.");
        var sample = await SampleAsync("transactions-to-payloads.json");
        Setting(sample, "source", "folder", Path.Combine(folder, "in"));
        Setting(sample, "destination", "folder", Path.Combine(folder, "out"));
        var name = UniqueName("Transactions");
        var imported = await (await _client.PostAsync($"/api/v1/dataflows/import?publish=true&name={Uri.EscapeDataString(name)}",
            new StringContent(sample.ToJsonString(), Encoding.UTF8, "application/json"))).ExpectAsync(201);
        var dataflowId = imported.GetProperty("saved").GetProperty("dataflowId").GetInt32();

        var trigger = await _client.PostAsync($"/api/v1/dataflows/{dataflowId}/runs", null);

        var accepted = await trigger.ExpectAsync(202);
        var runId = accepted.GetProperty("runId").GetInt64();
        Assert.Equal($"/api/v1/runs/{runId}", trigger.Headers.Location?.OriginalString);
        var run = await WaitForEndAsync(runId);
        var summary = run.GetProperty("run");
        Assert.Equal("SucceededWithErrors", summary.GetProperty("status").GetString());
        Assert.Equal(("Api", ApiHost.ClientName, 1), (summary.GetProperty("trigger").GetString(), summary.GetProperty("triggeredBy").GetString(), summary.GetProperty("version").GetInt32()));
        Assert.True(summary.GetProperty("rowsRejected").GetInt64() > 0);
        Assert.InRange(summary.GetProperty("accuracy").GetDouble(), 50, 99.99);
        var payload = run.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("nodeId").GetString() == "payload");
        Assert.Equal(summary.GetProperty("rowsRejected").GetInt64(), payload.GetProperty("rejected").GetInt64());
        Assert.NotEmpty(run.GetProperty("errorSample").EnumerateArray());
        var errors = await _client.GetAsync(run.GetProperty("errorFileUrl").GetString());
        Assert.Equal(200, (int)errors.StatusCode);
        Assert.Equal("text/csv", errors.Content.Headers.ContentType?.MediaType);
        var errorFile = Path.Combine(folder, "errors.csv");
        await File.WriteAllBytesAsync(errorFile, await errors.Content.ReadAsByteArrayAsync());
        Assert.Equal(bad, BenchCsv.Read(errorFile).Column("bill_number").Distinct().Count());
        var log = await _client.GetAsync(run.GetProperty("logUrl").GetString());
        Assert.Equal("text/plain", log.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrWhiteSpace(await log.Content.ReadAsStringAsync()));
        var listed = await (await _client.GetAsync($"/api/v1/runs?dataflowId={dataflowId}&status=SucceededWithErrors,Failed")).ExpectAsync(200);
        Assert.Equal([runId], listed.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task CapillarySample_WhoseBuilderAndApiBothRejectRows_DownloadsOneErrorFileWithEveryRejectedRow()
    {
        // 20 members in the bills, 10 in the sandbox: the API refuses half the customers (8015); the bad
        // bills' dates and mobiles are refused by Build API payload before anything is sent.
        using var sandboxApi = sandbox.Api();
        await SandboxBills.PrepareAsync(sandboxApi, members: 10, latencyMs: 0);
        var folder = host.Folder[Guid.NewGuid().ToString("N")];
        var input = Directory.CreateDirectory(Path.Combine(folder, "in")).FullName;
        TransactionsGenerator.Generate(
            new TransactionsOptions { Bills = 200, OutputFile = Path.Combine(input, "bills.csv"), Members = 20, BadShare = 0.05, Seed = 5 }, CancellationToken.None);
        var connection = UniqueName("capillary");
        await (await _client.PostAsync("/api/v1/connections", Json(new
        {
            name = connection,
            type = "capillary",
            settings = new { baseUrl = sandbox.CapillaryUrl, auth = "oauth", clientKey = "sandbox-key", clientSecret = "sandbox-secret" },
        }))).ExpectAsync(201);
        var dataflowId = await _client.PublishCapillarySampleAsync(input, Path.Combine(folder, "out"), connection);

        var runId = (await (await _client.PostAsync($"/api/v1/dataflows/{dataflowId}/runs", null)).ExpectAsync(202)).GetProperty("runId").GetInt64();

        var run = await WaitForEndAsync(runId);
        Assert.Equal("SucceededWithErrors", run.GetProperty("run").GetProperty("status").GetString());
        var rejectedBy = run.GetProperty("blocks").EnumerateArray().ToDictionary(b => b.GetProperty("nodeId").GetString()!, b => b.GetProperty("rejected").GetInt64());
        Assert.True(rejectedBy["payload"] > 0 && rejectedBy["capillary"] > 0, $"both blocks should reject rows: {run.GetProperty("blocks")}");
        var download = await _client.GetAsync(run.GetProperty("errorFileUrl").GetString());
        Assert.Equal(200, (int)download.StatusCode);
        var errorFile = Path.Combine(folder, "downloaded-errors.csv");
        await File.WriteAllBytesAsync(errorFile, await download.Content.ReadAsByteArrayAsync());

        var rows = BenchCsv.Read(errorFile).Records().ToList();
        Assert.Equal(run.GetProperty("run").GetProperty("rowsRejected").GetInt64(), rows.Count);
        Assert.Equal(rejectedBy["payload"], rows.Count(r => r["error_block"] == "payload"));
        Assert.Equal(rejectedBy["capillary"], rows.Count(r => r["error_block"] == "capillary"));
        // The API's columns are filled on its rows and empty on the builder's; every row names its line.
        Assert.All(rows.Where(r => r["error_block"] == "capillary"), r => Assert.Equal(r["error_code"], r["api_code"]));
        Assert.Contains(rows, r => r["api_code"] == "8015");
        Assert.All(rows.Where(r => r["error_block"] == "payload"), r => Assert.Equal(("", ""), (r["api_status"], r["api_code"])));
        Assert.All(rows, r => Assert.Equal(("bills.csv", true), (r["source_file"], long.Parse(r["source_line"], System.Globalization.CultureInfo.InvariantCulture) > 1)));
    }

    [Fact]
    public async Task CopyFlow_ImportedWithItsConnections_RunsToSuccess_AndHasNoErrorFile()
    {
        var folder = host.Folder[Guid.NewGuid().ToString("N")];
        var source = await host.LocalConnectionAsync($"copy-in-{Guid.NewGuid():N}"[..16], Path.Combine(folder, "in"));
        var target = await host.LocalConnectionAsync($"copy-out-{Guid.NewGuid():N}"[..17], Path.Combine(folder, "out"));
        await File.WriteAllTextAsync(Path.Combine(folder, "in", "members.csv"), "id,name\n1,Asha\n2,Ravi\n");
        var connections = await (await _client.GetAsync("/api/v1/connections")).ExpectAsync(200);
        Assert.Contains(connections.EnumerateArray(), c => c.GetProperty("name").GetString() == source && c.GetProperty("type").GetString() == "local");
        var imported = await (await _client.PostAsync("/api/v1/dataflows/import?publish=true",
            new StringContent(CopyCsvDefinition(source, target, UniqueName("Copy")).ToJsonString(), Encoding.UTF8, "application/json"))).ExpectAsync(201);
        var dataflowId = imported.GetProperty("saved").GetProperty("dataflowId").GetInt32();

        var runId = (await (await _client.PostAsync($"/api/v1/dataflows/{dataflowId}/runs", Json(new { version = 1 }))).ExpectAsync(202)).GetProperty("runId").GetInt64();

        var run = await WaitForEndAsync(runId);
        Assert.Equal("Succeeded", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(2, run.GetProperty("run").GetProperty("rowsRead").GetInt64());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("errorFileUrl").ValueKind);
        Assert.Equal("id,name\r\n1,Asha\r\n2,Ravi\r\n", await File.ReadAllTextAsync(Path.Combine(folder, "out", "copy.csv")));
        var noErrors = await (await _client.GetAsync($"/api/v1/runs/{runId}/errors")).ExpectAsync(404);
        Assert.Contains("no error file", noErrors.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Trigger_AnswersConflictWithTheActiveRun_WhenARunIsQueued_AndCancelEndsTheQueuedRun()
    {
        var dataflowId = await PublishedCopyFlowAsync();
        var queued = await QueueRunRowAsync(dataflowId);

        var skipped = await (await _client.PostAsync($"/api/v1/dataflows/{dataflowId}/runs", null)).ExpectAsync(409);
        var cancel = await _client.PostAsync($"/api/v1/runs/{queued}/cancel", null);
        var again = await (await _client.PostAsync($"/api/v1/runs/{queued}/cancel", null)).ExpectAsync(409);

        Assert.Equal("AlreadyRunning", skipped.GetProperty("skipKind").GetString());
        Assert.Equal(queued, skipped.GetProperty("activeRunId").GetInt64());
        Assert.Equal(202, (int)cancel.StatusCode);
        var run = await (await _client.GetAsync($"/api/v1/runs/{queued}")).ExpectAsync(200);
        Assert.Equal("Cancelled", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(ApiHost.ClientName, run.GetProperty("cancelRequestedBy").GetString());
        Assert.Contains("already ended (Cancelled)", again.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Trigger_AnswersConflict_WithoutAPublishedVersion_AndNotFound_ForAnUnknownDataflowOrVersion()
    {
        var created = await (await _client.PostAsync("/api/v1/dataflows", Json(new { name = UniqueName("Unpublished") }))).ExpectAsync(201);
        var id = created.GetProperty("dataflow").GetProperty("id").GetInt32();

        var unpublished = await (await _client.PostAsync($"/api/v1/dataflows/{id}/runs", null)).ExpectAsync(409);
        var unknownVersion = await (await _client.PostAsync($"/api/v1/dataflows/{id}/runs", Json(new { version = 7 }))).ExpectAsync(404);
        var unknownDataflow = await (await _client.PostAsync("/api/v1/dataflows/987654/runs", null)).ExpectAsync(404);

        Assert.Equal("NoPublishedVersion", unpublished.GetProperty("skipKind").GetString());
        Assert.Contains("no version 7", unknownVersion.GetProperty("detail").GetString());
        Assert.Contains("987654", unknownDataflow.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task RunEndpoints_AnswerNotFound_ForAnUnknownRun_AndBadRequest_ForBadFilters()
    {
        await (await _client.GetAsync("/api/v1/runs/987654")).ExpectAsync(404);
        await (await _client.PostAsync("/api/v1/runs/987654/cancel", null)).ExpectAsync(404);
        await (await _client.GetAsync("/api/v1/runs/987654/errors")).ExpectAsync(404);
        await (await _client.GetAsync("/api/v1/runs/987654/log")).ExpectAsync(404);
        var status = await (await _client.GetAsync("/api/v1/runs?status=Sleeping")).ExpectAsync(400);
        var from = await (await _client.GetAsync("/api/v1/runs?from=yesterday")).ExpectAsync(400);

        Assert.Contains("Statuses: Queued, Running", status.GetProperty("errors").GetProperty("status")[0].GetString());
        Assert.True(from.GetProperty("errors").TryGetProperty("from", out _));
    }

    [Fact]
    public async Task List_FiltersByTime()
    {
        var dataflowId = await PublishedCopyFlowAsync();
        var queued = await QueueRunRowAsync(dataflowId);
        var since = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));
        var until = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));

        var recent = await (await _client.GetAsync($"/api/v1/runs?dataflowId={dataflowId}&from={since}")).ExpectAsync(200);
        var older = await (await _client.GetAsync($"/api/v1/runs?dataflowId={dataflowId}&to={until}")).ExpectAsync(200);

        Assert.Equal([queued], recent.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        Assert.Equal(0, older.GetProperty("total").GetInt32());
        (await _client.PostAsync($"/api/v1/runs/{queued}/cancel", null)).EnsureSuccessStatusCode();
    }

    private Task<JsonElement> WaitForEndAsync(long runId) => _client.WaitForRunEndAsync(runId);

    private async Task<int> PublishedCopyFlowAsync()
    {
        var folder = host.Folder[Guid.NewGuid().ToString("N")];
        var connection = await host.LocalConnectionAsync("busy-files", Path.Combine(folder, "in"));
        var imported = await (await _client.PostAsync("/api/v1/dataflows/import?publish=true",
            new StringContent(CopyCsvDefinition(connection, connection, UniqueName("Busy")).ToJsonString(), Encoding.UTF8, "application/json"))).ExpectAsync(201);
        return imported.GetProperty("saved").GetProperty("dataflowId").GetInt32();
    }

    /// <summary>A queued run row that no node takes (as if the node that queued it were busy), to test the rules around an active run.</summary>
    private async Task<long> QueueRunRowAsync(int dataflowId)
    {
        await using var db = await host.Service<IDbContextFactory<ConnectPlusDbContext>>().CreateDbContextAsync();
        var version = await db.DataflowVersions.Where(v => v.DataflowId == dataflowId).Select(v => v.Id).FirstAsync();
        var run = new Run { Key = Guid.NewGuid().ToString("N"), DataflowId = dataflowId, DataflowVersionId = version, Trigger = RunTrigger.Manual, Queued = DateTimeOffset.UtcNow };
        db.Runs.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }
}
