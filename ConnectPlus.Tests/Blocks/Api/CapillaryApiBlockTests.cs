using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Capillary;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;
using static ConnectPlus.Tests.Blocks.Api.ApiSinkTestData;

namespace ConnectPlus.Tests.Blocks.Api;

public sealed class CapillaryApiBlockTests
{
    private static readonly object Defaults = new { connection = "brand", batchSize = 2 };

    // ---- sending and reporting -----------------------------------------------------------------

    [Fact]
    public async Task Run_SendsV2BulkBatches_AndReportsEverySourceRowAsSucceeded()
    {
        var api = new FakeApi();

        var result = await Sink(Defaults, api, Bills(5)).RunAsync();

        result.AssertSucceeded();
        var requests = api.ApiRequests;
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal("/v2/transactions/bulk", r.Path));
        Assert.Equal([2, 2, 1], requests.Select(r => r.Json.AsArray().Count).Order().Reverse());
        Assert.Equal(["b-1", "b-2", "b-3", "b-4", "b-5"], requests.SelectMany(r => r.Json.AsArray().Select(b => b!["billNumber"]!.GetValue<string>())).Order());
        var rows = result.Records("succeeded");
        Assert.Equal(["bill_number", "mobile", "sku", "amount", "api_status", "api_code", "api_message", "entity_id", "points_awarded"], rows.Schema!.Columns);
        Assert.Equal(10, rows.Rows.Count);
        Assert.Equal(["b-1", "b-1", "b-2", "b-2", "b-3", "b-3", "b-4", "b-4", "b-5", "b-5"], rows.Column("bill_number"));
        Assert.All(rows.Column("api_status"), s => Assert.Equal("success", s));
        Assert.Equal(["1000", "1000", "1001", "1001", "1000", "1000", "1001", "1001", "1000", "1000"], rows.Column("entity_id"));
        Assert.All(rows.Column("points_awarded"), p => Assert.Equal("10", p));
        Assert.Equal(new SourceRef("bills.csv", 3), rows.Rows[1].Source);
        Assert.Empty(result.Records("rejected").Rows);
    }

    [Fact]
    public async Task Run_ReportsSourceRowsOfDifferentColumns_EachWithItsOwnColumns()
    {
        var first = new RecordSchema(["bill", "sku"]);
        var second = new RecordSchema(["bill", "store", "sku"]);
        List<Record> records =
        [
            PayloadRecord.Create("b-1", Bill("b-1"), first, [new(["b-1", "s1"], new SourceRef("a.csv", 2)), new(["b-1", "s2"], new SourceRef("a.csv", 3))]),
            PayloadRecord.Create("b-2", Bill("b-2"), first, [new(["b-2", null], new SourceRef("a.csv", 4))]),
            PayloadRecord.Create("b-3", Bill("b-3"), second, [new(["b-3", "BLR", "s9"], new SourceRef("b.csv", 2))]),
            PayloadRecord.Create("b-4", Bill("b-4"), first, [new(["b-4", "s4"], new SourceRef("a.csv", 5))]),
        ];

        var result = await Sink(new { connection = "brand", parallelRequests = 1 }, new FakeApi(), records).RunAsync();

        var batches = result.AssertSucceeded().Records("succeeded").Batches;
        var rows = batches.SelectMany(b => b.Rows.Select(r => (string.Join(",", b.Schema.Columns.Take(b.Schema.Count - 5)), string.Join(",", r.Values.Take(b.Schema.Count - 5)), r.Source))).ToList();
        Assert.Equal(
        [
            ("bill,sku", "b-1,s1", new SourceRef("a.csv", 2)),
            ("bill,sku", "b-1,s2", new SourceRef("a.csv", 3)),
            ("bill,sku", "b-2,", new SourceRef("a.csv", 4)),
            ("bill,store,sku", "b-3,BLR,s9", new SourceRef("b.csv", 2)),
            ("bill,sku", "b-4,s4", new SourceRef("a.csv", 5)),
        ], rows);
        Assert.Null(batches[0].Rows[2].Values[1]);
    }

    [Fact]
    public async Task Run_SignsInOnce_AndSendsTheTokenJsonAndAttributionHeaders()
    {
        var api = new FakeApi();
        var connection = Capillary(extra: new { attributionEntityType = "STORE_CODE", attributionEntityCode = "S001" });

        var result = await Sink(new { connection = "brand", batchSize = 1, extraHeaders = new[] { new { name = "X-Source", value = "connect-plus" } } }, api, Bills(3), connection: connection).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(1, api.TokensIssued);
        var token = Assert.Single(api.Requests, r => r.Path.EndsWith("/token/generate", StringComparison.Ordinal));
        Assert.Equal("""{"key":"key","secret":"secret"}""", token.Body);
        Assert.All(api.ApiRequests, r =>
        {
            Assert.Equal("token-1", r.Header("X-CAP-API-OAUTH-TOKEN"));
            Assert.StartsWith("application/json", r.Header("Content-Type"), StringComparison.Ordinal);
            Assert.Equal("application/json", r.Header("Accept"));
            Assert.Equal("STORE_CODE", r.Header("X-CAP-API-ATTRIBUTION-ENTITY-TYPE"));
            Assert.Equal("S001", r.Header("X-CAP-API-ATTRIBUTION-ENTITY-CODE"));
            Assert.Equal("connect-plus", r.Header("X-Source"));
        });
    }

    [Fact]
    public async Task Run_RejectsItemsTheApiRefused_WithTheApiCodeAndMessage()
    {
        var api = new FakeApi { Answer = (r, _) => FakeApi.V2(r, null, 8015, null) };

        var result = await Sink(new { connection = "brand", batchSize = 3 }, api, Bills(3)).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal(["b-1", "b-1", "b-3", "b-3"], result.Records("succeeded").Column("bill_number"));
        var rejected = result.Records("rejected").Maps;
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, r =>
        {
            Assert.Equal("b-2", r["bill_number"]);
            Assert.Equal("failed", r["api_status"]);
            Assert.Equal("8015", r["api_code"]);
            Assert.Equal("error 8015 for b-2", r["api_message"]);
            Assert.Equal("8015", r["error_code"]);
            Assert.Equal("error 8015 for b-2", r["error_message"]);
            Assert.Equal("bills.csv", r["source_file"]);
        });
        Assert.Equal(["4", "5"], rejected.Select(r => r["source_line"]));
        Assert.Equal(2, result.Stats.Rejected);
    }

    [Fact]
    public async Task Run_PutsApiRejectsInTheErrorFile_WithTheOriginalAndApiColumns_WhenRejectedIsNotLinked()
    {
        var api = new FakeApi { Answer = (r, _) => FakeApi.V2(r, 611, null) };

        var (run, data, _, folder) = await RunWithErrorFileAsync("capillary-api", new { connection = "brand", batchSize = 2 }, Bills(2), PayloadRecord.Schema,
            (typeof(IConnectionProvider), new InMemoryConnectionProvider([Capillary()])), (typeof(HttpMessageHandler), api));

        using (folder)
        {
            Assert.Equal(RunOutcome.SucceededWithErrors, run.Outcome);
            var lines = await File.ReadAllLinesAsync(Assert.Single(run.ErrorFiles));
            Assert.Equal("bill_number,mobile,sku,amount,api_status,api_code,api_message,entity_id,points_awarded,error_block,error_code,error_message,source_file,source_line", lines[0]);
            Assert.Equal("b-1,919000000001,sku0,100,failed,611,error 611 for b-1,,,block,611,error 611 for b-1,bills.csv,2", lines[1]);
            Assert.Equal(3, lines.Length);
            Assert.Equal(2, data.RecordOutputs["succeeded"].Rows.Count);
        }
    }

    [Fact]
    public async Task Run_ReportsWarnings_OnSucceededRows()
    {
        var api = new FakeApi
        {
            Answer = (r, _) => FakeApi.Json(200, """{"response":[{"entityId":7,"result":{"sideEffects":[{"type":"points","awardedPoints":480},{"type":"points","awardedPoints":20}]},"errors":[],"warnings":[{"status":true,"code":91016,"message":"invalid extended field"}]}],"totalCount":1,"failureCount":0}"""),
        };

        var result = await Sink(Defaults, api, Bills(1, linesPerBill: 1)).RunAsync();

        var row = Assert.Single(result.AssertSucceeded().Records("succeeded").Maps);
        Assert.Equal(("success", "91016", "warning: invalid extended field", "7", "500"), (row["api_status"], row["api_code"], row["api_message"], row["entity_id"], row["points_awarded"]));
    }

    [Fact]
    public async Task Run_RejectsARowWithoutValidJson_AndSendsTheOthers()
    {
        var api = new FakeApi();
        var records = Bills(2);
        records.Insert(1, new Record(["b-x", "{\"billNumber\": oops}", null], new SourceRef("bills.csv", 9)));
        records.Add(new Record(["b-y", "  ", null], new SourceRef("bills.csv", 10)));

        var result = await Sink(Defaults, api, records).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["b-1", "b-2"], Assert.Single(api.ApiRequests).Json.AsArray().Select(b => b!["billNumber"]!.GetValue<string>()));
        var rejected = result.Records("rejected").Maps;
        Assert.Equal(["PAYLOAD_INVALID", "PAYLOAD_MISSING"], rejected.Select(r => r["error_code"]));
        Assert.StartsWith("bills.csv line 9: The payload is not valid JSON", rejected[0]["error_message"], StringComparison.Ordinal);
        Assert.Equal("b-x", rejected[0]["payload_key"]);
    }

    [Fact]
    public async Task Run_Fails_WhenTheInputHasNoPayloadColumn()
    {
        var api = new FakeApi();
        var harness = BlockHarness.For("capillary-api", Defaults)
            .WithRecords("records", ["bill", "amount"], ["b-1", "10"])
            .WithService<IConnectionProvider>(new InMemoryConnectionProvider([Capillary()]))
            .WithService<HttpMessageHandler>(api);

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("input column 'payload'", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("bill, amount", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(api.ApiRequests);
    }

    [Fact]
    public async Task Run_Fails_WhenTheConnectionIsNotACapillaryOne()
    {
        var local = new ConnectionDefinition { Name = "brand", Type = "local", Settings = new JsonObject { ["folder"] = "/tmp" } };

        var result = await Sink(Defaults, new FakeApi(), Bills(1), connection: local).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("is a local connection; choose a Capillary API connection", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Fails_WhenTheConnectionIsIncomplete()
    {
        var connection = new ConnectionDefinition { Name = "brand", Type = "capillary", Settings = new JsonObject { ["baseUrl"] = "https://x.test", ["auth"] = "oauth", ["clientKey"] = "k" } };

        var result = await Sink(Defaults, new FakeApi(), Bills(1), connection: connection).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("clientSecret: Give the OAuth client secret.", result.Run.Error, StringComparison.Ordinal);
    }

    // ---- retries, yielding, rate limit ----------------------------------------------------------

    [Fact]
    public async Task Run_RetriesRecoverableStatuses_WithGrowingJitteredBackoff_ThenReportsTheAnswer()
    {
        var api = new FakeApi { Answer = (r, n) => n switch { 0 => FakeApi.Gateway(502), 1 => FakeApi.Gateway(503), 2 => FakeApi.Gateway(520), _ => FakeApi.V2AllSucceeded(r) } };
        var time = new InstantTime();

        var result = await Sink(new { connection = "brand", retryDelaySeconds = 2 }, api, Bills(2), time).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(4, api.ApiRequests.Count);
        Assert.Equal(4, result.Records("succeeded").Rows.Count);
        var waits = time.Waits;
        Assert.Equal(3, waits.Count);
        Assert.InRange(waits[0].TotalSeconds, 1, 2);
        Assert.InRange(waits[1].TotalSeconds, 2, 4);
        Assert.InRange(waits[2].TotalSeconds, 4, 8);
        Assert.Contains(Log(result.Observer), m => m.Contains("batch 1 of bills.csv: the server answered 503; retry 2 of 5", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_RejectsTheWholeBatch_WhenTheServerKeepsFailing_AndGoesOnWithTheNextBatch()
    {
        var api = new FakeApi { Answer = (r, n) => r.Body.Contains("\"b-1\"", StringComparison.Ordinal) ? FakeApi.Gateway(503) : FakeApi.V2AllSucceeded(r) };

        var result = await Sink(new { connection = "brand", batchSize = 2, maxRetries = 2, parallelRequests = 1 }, api, Bills(4)).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal(4, api.ApiRequests.Count);
        var rejected = result.Records("rejected").Maps;
        Assert.Equal(["b-1", "b-1", "b-2", "b-2"], rejected.Select(r => r["bill_number"]));
        Assert.All(rejected, r => Assert.Equal("503", r["api_code"]));
        Assert.Equal("The server answered 503 (gateway says 503), after 3 attempts.", rejected[0]["api_message"]);
        Assert.Equal(["b-3", "b-3", "b-4", "b-4"], result.Records("succeeded").Column("bill_number"));
    }

    [Fact]
    public async Task Run_RejectsTheBatchAtOnce_OnAFinalStatus()
    {
        var api = new FakeApi { Answer = (_, _) => FakeApi.Json(400, """{"errors":[{"status":false,"code":400,"message":"The body must be a JSON array"}]}""") };

        var result = await Sink(Defaults, api, Bills(1)).RunAsync();

        Assert.Single(api.ApiRequests);
        var rejected = result.AssertSucceeded().Records("rejected").Maps;
        Assert.All(rejected, r => Assert.Equal(("400", "The server refused the request: 400 (The body must be a JSON array)."), (r["error_code"], r["error_message"])));
    }

    [Fact]
    public async Task Run_StopsTheRun_WhenTheErrorThresholdIsCrossed()
    {
        var api = new FakeApi { Answer = (_, _) => FakeApi.Gateway(500) };

        var result = await Sink(new { connection = "brand", batchSize = 2, parallelRequests = 1 }, api, Bills(50))
            .WithOptions(new DataflowOptions { MaxErrors = 3 }).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("more than the dataflow's limit of 3", result.Run.Error, StringComparison.Ordinal);
        Assert.True(api.ApiRequests.Count < 25, $"{api.ApiRequests.Count} requests after the run was stopped");
    }

    [Fact]
    public async Task Run_WaitsForRetryAfter_OnYieldingAnswers_WithoutCountingThemAsRetries()
    {
        var api = new FakeApi { Answer = (r, n) => n < 7 ? FakeApi.Gateway(429, retryAfterSeconds: 30) : FakeApi.V2AllSucceeded(r) };
        var time = new InstantTime();

        var result = await Sink(new { connection = "brand", maxRetries = 1 }, api, Bills(1), time).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(2, result.Records("succeeded").Rows.Count);
        Assert.Equal(8, api.ApiRequests.Count);
        Assert.Equal(7, time.Waits.Count(w => w == TimeSpan.FromSeconds(30)));
        Assert.Contains(Log(result.Observer), m => m.Contains("210 s waited on slow-down answers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_StatesHowLongTheAnswersTook_InItsSummary()
    {
        // Request n (1-based) is answered n * 10 ms after it went, on the run's clock: 10 ms to 1 s over 100 requests.
        var time = new SteppedTime();
        FakeApi? api = null;
        api = new FakeApi
        {
            BeforeAnswer = (_, _) =>
            {
                time.Step(TimeSpan.FromMilliseconds(10 * api!.ApiRequests.Count));
                return Task.CompletedTask;
            },
        };

        var result = await Sink(new { connection = "brand", batchSize = 1, parallelRequests = 1 }, api, Bills(100), time).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(100, api.ApiRequests.Count);
        // The median is 500 ms, the 99th percentile 990 ms (999 ms: the middle of its bucket, within 1/32), the longest 1 s.
        Assert.Contains(Log(result.Observer), m => m.Contains(
            "100 items: 100 requests (0 retries); answers in 500 ms median, 999 ms at the 99th percentile, 1.0 s at most; 0 items rejected",
            StringComparison.Ordinal));
    }

    /// <summary>A clock whose timestamps move only when told (<see cref="Step"/>); its waits end at once, as <see cref="InstantTime"/>'s.</summary>
    private sealed class SteppedTime : TimeProvider
    {
        private readonly InstantTime _waits = new();
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Step(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => _waits.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            _waits.CreateTimer(callback, state, dueTime, period);
    }

    [Fact]
    public async Task Run_WaitsUntilTheRetryAfterDate_CountedFromTheAnswersOwnDate()
    {
        var sent = new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero);
        var api = new FakeApi
        {
            Answer = (r, n) =>
            {
                if (n > 0) return FakeApi.V2AllSucceeded(r);
                var busy = FakeApi.Gateway(429);
                busy.Headers.Date = sent;
                busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(sent.AddSeconds(25));
                return busy;
            },
        };
        var time = new InstantTime();

        var result = await Sink(new { connection = "brand" }, api, Bills(1), time).RunAsync();

        Assert.Equal(2, result.AssertSucceeded().Records("succeeded").Rows.Count);
        Assert.Equal(TimeSpan.FromSeconds(25), time.Waits.Max());
    }

    [Fact]
    public async Task Run_RejectsTheBatch_WhenYieldingWouldPassTheWaitBudget()
    {
        var api = new FakeApi { Answer = (_, _) => FakeApi.Gateway(429, retryAfterSeconds: 40) };

        var result = await Sink(new { connection = "brand", totalWaitBudgetSeconds = 100 }, api, Bills(1)).RunAsync();

        Assert.Equal(3, api.ApiRequests.Count);
        var rejected = result.AssertSucceeded().Records("rejected").Maps;
        Assert.Equal("429", rejected[0]["api_code"]);
        Assert.Contains("80 s waited, and waiting 40 s more would pass the total wait budget of 100 s", rejected[0]["api_message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RetriesTimeouts_AsRecoverable()
    {
        var api = new FakeApi { Answer = (r, n) => n == 0 ? throw new TaskCanceledException("timed out", new TimeoutException()) : FakeApi.V2AllSucceeded(r) };

        var result = await Sink(Defaults, api, Bills(1)).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(2, api.ApiRequests.Count);
        Assert.Contains(Log(result.Observer), m => m.Contains("did not answer POST /v2/transactions/bulk within 60 s; retry 1 of 5", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_SpacesRequestsEvenly_UnderTheRateLimit()
    {
        var api = new FakeApi();
        var time = new InstantTime();

        var result = await Sink(new { connection = "brand", batchSize = 1, parallelRequests = 1, rateLimitPerMinute = 30 }, api, Bills(4), time).RunAsync();

        result.AssertSucceeded();
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)], time.Waits);
    }

    // ---- sign-in ---------------------------------------------------------------------------------

    [Fact]
    public async Task Run_RenewsTheTokenOnce_WhenARequestIsAnswered401()
    {
        var api = new FakeApi { Answer = (r, _) => r.Header("X-CAP-API-OAUTH-TOKEN") == "token-1" ? FakeApi.Gateway(401) : FakeApi.V2AllSucceeded(r) };

        var result = await Sink(new { connection = "brand", batchSize = 1, parallelRequests = 1 }, api, Bills(3)).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(2, api.TokensIssued);
        Assert.Equal(4, api.ApiRequests.Count);
        Assert.Equal(6, result.Records("succeeded").Rows.Count);
    }

    [Fact]
    public async Task Run_FailsTheRun_WhenAFreshTokenIsRefusedToo()
    {
        var api = new FakeApi { Answer = (_, _) => FakeApi.Json(401, """{"errors":[{"status":false,"code":401,"message":"Unauthorized: the token is missing, unknown or expired"}]}""") };

        var result = await Sink(new { connection = "brand", batchSize = 1, parallelRequests = 1 }, api, Bills(20)).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("Capillary refused a fresh access token of capillary connection 'brand' (https://capillary.test) (HTTP 401): Unauthorized: the token is missing, unknown or expired.", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("The run stops", result.Run.Error, StringComparison.Ordinal);
        Assert.Equal(2, api.ApiRequests.Count);
        Assert.DoesNotContain("token-", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailsWithTheRefusedSignIn_AndStartsNoRequestAfterIt_WhenOtherRequestsAreStillInFlight()
    {
        // Two requests at once: b-1 is held in flight until the run cancels it; meanwhile b-2..b-9 are
        // answered and wait to be reported behind it (filling the queue), and b-10's fresh token is
        // refused. The reporter never reaches b-10's outcome: the refusal must still be the run's cause.
        const string unauthorized = """{"errors":[{"status":false,"code":401,"message":"Unauthorized: the token is missing, unknown or expired"}]}""";
        var firstInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldRequestCancelled = false;
        var requestsWhenRefused = -1;
        var api = new FakeApi();
        api.BeforeAnswer = async (request, ct) =>
        {
            // Both waits are bounded, so that a run that never stops fails the assertions instead of hanging the test.
            switch (BillOf(request))
            {
                case "b-1":
                    firstInFlight.TrySetResult();
                    await Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(30), ct));
                    heldRequestCancelled = ct.IsCancellationRequested;
                    break;
                case "b-10":
                    // b-1's request may start late (its task queued behind the others): refuse only once it is in flight.
                    await Task.WhenAny(firstInFlight.Task, Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None));
                    break;
            }
        };
        api.Answer = (request, _) =>
        {
            if (BillOf(request) != "b-10") return FakeApi.V2AllSucceeded(request);
            if (request.Header(CapillaryClient.TokenHeader) == "token-2") Volatile.Write(ref requestsWhenRefused, api.Requests.Count);
            return FakeApi.Json(401, unauthorized);
        };

        var result = await Sink(new { connection = "brand", batchSize = 1, parallelRequests = 2 }, api, Bills(10)).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("Capillary refused a fresh access token of capillary connection 'brand' (https://capillary.test) (HTTP 401): Unauthorized: the token is missing, unknown or expired.", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("The run stops", result.Run.Error, StringComparison.Ordinal);
        Assert.True(heldRequestCancelled, "The request in flight when the sign-in was refused should have been cancelled.");
        // Every request, token requests included, started before the refusal was answered.
        Assert.Equal(api.Requests.Count, Volatile.Read(ref requestsWhenRefused));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"b-{i}").Append("b-10").Order(StringComparer.Ordinal), api.ApiRequests.Select(BillOf).Order(StringComparer.Ordinal));
        Assert.Equal(2, api.TokensIssued);
    }

    private static string BillOf(FakeRequest request) => request.Json.AsArray()[0]!["billNumber"]!.GetValue<string>();

    [Fact]
    public async Task Run_FailsTheRun_WithTheServersMessage_WhenTheClientKeyIsWrong()
    {
        var connection = Capillary(extra: new { clientSecret = "wrong" });

        var result = await Sink(Defaults, new FakeApi(), Bills(2), connection: connection).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("Capillary refused the client key 'key' of capillary connection 'brand' (https://capillary.test) (HTTP 401): access forbidden.", result.Run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SignsInWithTheTillUser_WhenTheConnectionUsesBasic()
    {
        var api = new FakeApi();
        var connection = new ConnectionDefinition
        {
            Name = "brand",
            Type = "capillary",
            Settings = new JsonObject { ["baseUrl"] = "https://capillary.test/", ["auth"] = "basic", ["tillUsername"] = "store.server", ["password"] = "server123" },
        };

        var result = await Sink(Defaults, api, Bills(1), connection: connection).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(0, api.TokensIssued);
        var request = Assert.Single(api.Requests);
        Assert.Equal("https://capillary.test/v2/transactions/bulk", request.Uri.ToString());
        Assert.Equal("Basic " + Convert.ToBase64String("store.server:8a16a6b70505eb1f1ff7cdc0cd5559a7"u8), request.Header("Authorization"));
        Assert.Null(request.Header("X-CAP-API-OAUTH-TOKEN"));
    }

    // ---- validation ------------------------------------------------------------------------------

    private static List<ValidationIssue> Validate(object settings) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(BlockHarness.For("capillary-api", settings).WithRecords("records", PayloadRecord.Schema, []).BuildDataflow())
            .Where(i => i.NodeId == "block").ToList();

    [Fact]
    public void Validate_AcceptsTheDefaults_WithAConnection() => Assert.Empty(Validate(new { connection = "brand" }));

    [Theory]
    [InlineData("""{"batchSize":0}""", "batchSize", "Give between 1 and 1000 items per request.")]
    [InlineData("""{"batchSize":1001}""", "batchSize", "Give between 1 and 1000 items per request.")]
    [InlineData("""{"parallelRequests":0}""", "parallelRequests", "Give between 1 and 32 requests in flight.")]
    [InlineData("""{"rateLimitPerMinute":0}""", "rateLimitPerMinute", "Give at least 1 request per minute, or leave it empty.")]
    [InlineData("""{"recoverableCodes":[502,42]}""", "recoverableCodes", "42 is not an HTTP status: give numbers between 100 and 599.")]
    [InlineData("""{"yieldingCodes":[429,503]}""", "yieldingCodes", "503 is both recoverable and yielding: keep it in one list.")]
    [InlineData("""{"extraHeaders":[{"name":"Bad Name","value":"x"}]}""", "extraHeaders", "Header 1 needs a name of letters, digits and dashes, e.g. X-Request-Source.")]
    [InlineData("""{"maxRetries":21}""", "maxRetries", "Give between 0 and 20 retries.")]
    public void Validate_NamesTheSettingAndWhatToDo(string extra, string setting, string message)
    {
        var settings = JsonNode.Parse(extra)!.AsObject();
        settings["connection"] = "brand";

        var issue = Assert.Single(Validate(settings.ToJsonString()));

        Assert.Equal((setting, message), (issue.Setting, issue.Message));
    }

    [Fact]
    public void Validate_AsksForAConnection()
    {
        var issue = Assert.Single(Validate(new { }));

        Assert.Equal(("connection", "Choose a Capillary connection."), (issue.Setting, issue.Message));
    }

    [Fact]
    public void Validate_RefusesAnUnknownEndpoint()
    {
        var issue = Assert.Single(Validate("""{"connection":"brand","endpoint":"v3Everything"}"""));

        Assert.Contains("v2TransactionsBulk", issue.Message, StringComparison.Ordinal);
    }
}
