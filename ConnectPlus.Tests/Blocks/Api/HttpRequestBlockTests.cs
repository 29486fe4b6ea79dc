using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Api;

public sealed class HttpRequestBlockTests
{
    private static readonly string[] Columns = ["order_id", "name", "qty"];
    private const string Template = """{"id": "{{order_id}}", "customer": {"name": "{{name}}"}, "qty": {{qty}}}""";

    private static ConnectionDefinition Http(object settings) => new()
    {
        Name = "shop",
        Type = "http",
        Settings = System.Text.Json.JsonSerializer.SerializeToNode(settings)!.AsObject(),
    };

    private static BlockHarness Sink(object settings, FakeApi api, ConnectionDefinition? connection = null, params string?[][] rows) =>
        BlockHarness.For("http-request", settings)
            .WithRecords("records", Columns, rows)
            .WithService<IConnectionProvider>(new InMemoryConnectionProvider([connection ?? Http(new { baseUrl = "https://shop.test/api/" })]))
            .WithService<HttpMessageHandler>(api)
            .WithTime(new InstantTime());

    private static FakeApi Accepting() => new() { Answer = (_, _) => FakeApi.Json(201, """{"ok":true}""") };

    [Fact]
    public async Task Run_FillsTheTemplatePerRow_EscapingTextAndPuttingNumbersBare()
    {
        var api = Accepting();

        var result = await Sink(new { connection = "shop", url = "/orders", bodyTemplate = Template }, api, null,
            ["o-1", "Asha \"A\" Rao", "2"], ["o-2", "Ravi\\Iyer", ""]).RunAsync();

        result.AssertSucceeded();
        var bodies = api.ApiRequests.OrderBy(r => r.Body, StringComparer.Ordinal).Select(r => r.Body).ToList();
        Assert.Equal("""{"id": "o-1", "customer": {"name": "Asha \"A\" Rao"}, "qty": 2}""", bodies[0]);
        Assert.Equal("""{"id": "o-2", "customer": {"name": "Ravi\\Iyer"}, "qty": null}""", bodies[1]);
        Assert.All(api.ApiRequests, r => Assert.Equal(("https://shop.test/api/orders", "POST"), (r.Uri.ToString(), r.Method.Method)));
        var rows = result.Records("succeeded");
        Assert.Equal(["order_id", "name", "qty", "api_status", "api_code", "api_message"], rows.Schema!.Columns);
        Assert.Equal(["o-1", "o-2"], rows.Column("order_id"));
        Assert.All(rows.Maps, r => Assert.Equal(("success", "201", """{"ok":true}"""), (r["api_status"], r["api_code"], r["api_message"])));
    }

    [Fact]
    public async Task Run_SendsJsonArrays_OfBatchSizeItems_WithPut()
    {
        var api = Accepting();

        var result = await Sink(new { connection = "shop", url = "/orders", method = "put", bodyTemplate = """{"id":"{{order_id}}"}""", batching = "jsonArray", batchSize = 2 }, api, null,
            ["o-1", "a", "1"], ["o-2", "b", "1"], ["o-3", "c", "1"]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["""[{"id":"o-1"},{"id":"o-2"}]""", """[{"id":"o-3"}]"""], api.ApiRequests.Select(r => r.Body).Order(StringComparer.Ordinal));
        Assert.All(api.ApiRequests, r => Assert.Equal(HttpMethod.Put, r.Method));
        Assert.Equal(3, result.Records("succeeded").Rows.Count);
    }

    [Fact]
    public async Task Run_RejectsARow_WhoseFilledTemplateIsNotJson()
    {
        var api = Accepting();

        var result = await Sink(new { connection = "shop", url = "/orders", bodyTemplate = Template }, api, null,
            ["o-1", "a", "two"], ["o-2", "b", "3"]).RunAsync();

        result.AssertSucceeded();
        Assert.Single(api.ApiRequests);
        var rejected = Assert.Single(result.Records("rejected").Maps);
        Assert.Equal(("o-1", "BODY_INVALID"), (rejected["order_id"], rejected["error_code"]));
        Assert.Contains("input.csv line 2: The body template filled with this row is not valid JSON", rejected["error_message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RejectsTheRowsOfARefusedRequest_WithTheStatusAndTheAnswer()
    {
        var api = new FakeApi { Answer = (_, _) => FakeApi.Json(422, """{"error":"qty must be positive"}""") };

        var result = await Sink(new { connection = "shop", url = "/orders", bodyTemplate = Template }, api, null, ["o-1", "a", "-1"]).RunAsync();

        var rejected = Assert.Single(result.AssertSucceeded().Records("rejected").Maps);
        Assert.Equal(("failed", "422"), (rejected["api_status"], rejected["api_code"]));
        Assert.Equal("""The server refused the request: 422 ({"error":"qty must be positive"}).""", rejected["api_message"]);
    }

    [Fact]
    public async Task Run_SendsThePayloadColumn_WhenBodyIsPayload()
    {
        var api = Accepting();
        var harness = BlockHarness.For("http-request", new { connection = "shop", url = "/orders", body = "payload" })
            .WithRecords("records", PayloadRecord.Schema, ApiSinkTestData.Bills(1))
            .WithService<IConnectionProvider>(new InMemoryConnectionProvider([Http(new { baseUrl = "https://shop.test" })]))
            .WithService<HttpMessageHandler>(api);

        var result = await harness.RunAsync();

        result.AssertSucceeded();
        Assert.Equal(ApiSinkTestData.Bill("b-1"), Assert.Single(api.ApiRequests).Body);
        Assert.Equal(["b-1", "b-1"], result.Records("succeeded").Column("bill_number"));
    }

    [Theory]
    [InlineData("basic", "Authorization", "Basic dXNlcjpwdw==")]
    [InlineData("bearer", "Authorization", "Bearer tok")]
    [InlineData("apiKey", "X-Shop-Key", "k-123")]
    public async Task Run_SignsInAsTheConnectionSays(string auth, string header, string value)
    {
        var api = Accepting();
        var connection = Http(new { baseUrl = "https://shop.test", auth, username = "user", password = "pw", token = "tok", apiKeyHeader = "X-Shop-Key", apiKey = "k-123" });

        var result = await Sink(new { connection = "shop", url = "/orders", bodyTemplate = Template }, api, connection, ["o-1", "a", "1"]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(value, Assert.Single(api.ApiRequests).Header(header));
    }

    [Fact]
    public async Task Run_FailsTheRun_OnA401()
    {
        var api = new FakeApi { Answer = (_, _) => FakeApi.Json(401, """{"message":"bad token"}""") };
        var connection = Http(new { baseUrl = "https://shop.test", auth = "bearer", token = "secret-token" });

        var result = await Sink(new { connection = "shop", url = "/orders", bodyTemplate = Template, parallelRequests = 1 }, api, connection,
            ["o-1", "a", "1"], ["o-2", "a", "1"], ["o-3", "a", "1"]).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("http connection 'shop' (https://shop.test) refused the sign-in (HTTP 401)", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("The run stops: every further request would be refused.", result.Run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", result.Run.Error, StringComparison.Ordinal);
        Assert.Single(api.ApiRequests);
    }

    [Fact]
    public async Task Run_SendsToAFullUrl_WithoutAConnection()
    {
        var api = Accepting();
        var harness = BlockHarness.For("http-request", new { url = "https://hooks.test/in?x=1", method = "patch", bodyTemplate = Template })
            .WithRecords("records", Columns, ["o-1", "a", "1"])
            .WithService<HttpMessageHandler>(api);

        var result = await harness.RunAsync();

        result.AssertSucceeded();
        var request = Assert.Single(api.ApiRequests);
        Assert.Equal(("https://hooks.test/in?x=1", "PATCH", null), (request.Uri.ToString(), request.Method.Method, request.Header("Authorization")));
    }

    [Fact]
    public async Task Run_RefusesToSendTheConnectionsCredentials_ToAnotherHost()
    {
        var api = Accepting();
        var connection = Http(new { baseUrl = "https://shop.test", auth = "bearer", token = "tok" });

        var result = await Sink(new { connection = "shop", url = "https://elsewhere.test/orders", bodyTemplate = Template }, api, connection, ["o-1", "a", "1"]).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("is not on the connection's host https://shop.test", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(api.ApiRequests);
    }

    [Fact]
    public async Task Run_Fails_WhenTheTemplateNamesAColumnTheInputHasNot()
    {
        var result = await Sink(new { connection = "shop", url = "/orders", bodyTemplate = """{"x":"{{missing}}"}""" }, Accepting(), null, ["o-1", "a", "1"]).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("The body template uses {{missing}}, and the input has no such column (its columns: order_id, name, qty)", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RetriesAndRateLimits_LikeTheCapillarySink()
    {
        var api = new FakeApi { Answer = (_, n) => n == 0 ? FakeApi.Gateway(503) : FakeApi.Json(200, "{}") };
        var time = new InstantTime();
        var harness = BlockHarness.For("http-request", new { connection = "shop", url = "/orders", bodyTemplate = Template, retryDelaySeconds = 4, parallelRequests = 1, rateLimitPerMinute = 6 })
            .WithRecords("records", Columns, ["o-1", "a", "1"], ["o-2", "a", "1"])
            .WithService<IConnectionProvider>(new InMemoryConnectionProvider([Http(new { baseUrl = "https://shop.test" })]))
            .WithService<HttpMessageHandler>(api)
            .WithTime(time);

        var result = await harness.RunAsync();

        result.AssertSucceeded();
        Assert.Equal(3, api.ApiRequests.Count);
        // Retry delay 4 s: the first retry waits 2-4 s; the limit (one request per 10 s) holds it to the 10th second, and the next row to the 20th.
        var waits = time.Waits;
        Assert.Equal(3, waits.Count);
        Assert.InRange(waits[0].TotalSeconds, 2, 4);
        Assert.Equal(TimeSpan.FromSeconds(10), waits[0] + waits[1]);
        Assert.Equal(TimeSpan.FromSeconds(10), waits[2]);
    }

    private static List<ValidationIssue> Validate(object settings) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(BlockHarness.For("http-request", settings).WithRecords("records", Columns).BuildDataflow())
            .Where(i => i.NodeId == "block").ToList();

    [Theory]
    [InlineData("""{"connection":"shop","url":"/orders"}""", "bodyTemplate", "Give the body template")]
    [InlineData("""{"connection":"shop","url":"/orders","bodyTemplate":"{\"a\": {{x}"}""", "bodyTemplate", "The placeholder at character 7 is not closed")]
    [InlineData("""{"connection":"shop","url":"/orders","bodyTemplate":"{\"a\": {{x}} {{y}} }"}""", "bodyTemplate", "With its placeholders filled, the template is not valid JSON")]
    [InlineData("""{"url":"/orders","body":"payload"}""", "url", "Without a connection, give a full address")]
    public void Validate_NamesTheSettingAndWhatToDo(string settings, string setting, string message)
    {
        var issue = Assert.Single(Validate(settings));

        Assert.Equal(setting, issue.Setting);
        Assert.StartsWith(message, issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AcceptsATemplate_AndAPayloadBody()
    {
        Assert.Empty(Validate(new { connection = "shop", url = "/orders", bodyTemplate = Template }));
        Assert.Empty(Validate(new { url = "https://hooks.test/x", body = "payload" }));
    }

    [Fact]
    public void HttpConnection_KeepsItsCredentialsSecret()
    {
        var type = ConnectionCatalog.Default.Find("http")!;

        Assert.Equal(["password", "token", "apiKey"], type.Settings.Where(s => s.Secret).Select(s => s.Name));
    }

    [Fact]
    public void HttpConnection_AsksForTheCredentialsItsSignInNeeds()
    {
        var connection = new ConnectionDefinition { Name = "shop", Type = "http", Settings = new JsonObject { ["baseUrl"] = "https://shop.test", ["auth"] = "bearer" } };

        var error = Assert.Throws<ConnectionException>(() => ConnectionCatalog.Default.Bind(connection));

        Assert.Contains("token: Give the bearer token.", error.Message, StringComparison.Ordinal);
    }
}
