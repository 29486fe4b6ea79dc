using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Http;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;
using static ConnectPlus.Tests.Blocks.Api.ApiSinkTestData;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>
/// The answer-to-rows path of API sinks: the one-pass answer reader against the document reading on
/// many generated answers, the points texts, the result rows with and without a receiver of
/// <c>succeeded</c>, and answers read into pooled buffers.
/// </summary>
public sealed class ApiResultPathTests
{
    // ---- answers ------------------------------------------------------------------------------

    [Fact]
    public void TryRead_GivesTheDocumentsResults_ForManyGeneratedAnswers()
    {
        var random = new Random(20261127);
        var read = 0;
        for (var n = 0; n < 3000; n++)
        {
            var count = random.Next(1, 6);
            var answer = GeneratedAnswer(random, count);
            var body = Encoding.UTF8.GetBytes(answer);

            if (!V2BulkAnswerReader.TryRead(body, count, out var results)) continue;

            read++;
            using var document = JsonDocument.Parse(body);
            var expected = CapillaryTarget.V2Bulk(document.RootElement, count);
            Assert.True(expected is null ? results is null : results is not null && expected.SequenceEqual(results), $"Answer {n} read differently: {answer}");
        }
        // Nearly every generated answer is one the reader takes (the rest repeat a property).
        Assert.True(read > 2500, $"{read} answers read");
    }

    [Fact]
    public void TryRead_ReadsErrorsWarningsAndEscapes_AsTheDocumentDoes()
    {
        const string answer = """
            {"response":[
              {"entityId":"E\u00e9-1","errors":[],"warnings":[{"code":"91016","message":"Invalid \"field\" \u2013 ignored"},{"code":2}]},
              {"entityId":12,"errors":[{"code":8015,"message":"Customer not found"},{"message":"second"},"x"],"warnings":[{"code":1,"message":"w"}]},
              {"entityId":13.50,"result":{"sideEffects":[{"type":"points","awardedPoints":"1,200.50"},{"type":"Points","awardedPoints":0.5}]}},
              {"entityId":14,"result":{"extra":{"a":[1,{"b":null}]},"sideEffects":{"type":"points","awardedPoints":-0}},"more":[true,false,null]}
            ]}
            """;
        var body = Encoding.UTF8.GetBytes(answer);

        Assert.True(V2BulkAnswerReader.TryRead(body, 4, out var results));

        using var document = JsonDocument.Parse(body);
        Assert.Equal(CapillaryTarget.V2Bulk(document.RootElement, 4), results);
        Assert.Equal(ItemResult.Success("91016", "warning: Invalid \"field\" – ignored; ", "Eé-1"), results![0]);
        Assert.Equal(ItemResult.Rejected("8015", "Customer not found; second"), results[1]);
        Assert.Equal("1201.00", results[2].Points);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("120")]
    [InlineData("1023")]
    [InlineData("1024")]
    [InlineData("120.0")]
    [InlineData("0.00")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("-5")]
    [InlineData("12.5")]
    [InlineData("9223372036854775806")]
    [InlineData("9223372036854775807")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775808")]
    [InlineData("1024.0")]
    [InlineData("79228162514264337593543950335")]
    public void PointsText_IsTheDecimalsInvariantText(string number)
    {
        var value = decimal.Parse(number, NumberStyles.Number, CultureInfo.InvariantCulture);

        Assert.Equal(value.ToString(CultureInfo.InvariantCulture), V2BulkAnswerReader.PointsText(value));
    }

    [Fact]
    public void PointsText_IsTheDecimalsInvariantText_ForSums()
    {
        for (var i = -50; i < 1100; i++)
        {
            var value = 0m + i;
            Assert.Equal(value.ToString(CultureInfo.InvariantCulture), V2BulkAnswerReader.PointsText(value));
            var tenth = (0m + i) / 10;
            Assert.Equal(tenth.ToString(CultureInfo.InvariantCulture), V2BulkAnswerReader.PointsText(tenth));
        }
        Assert.Null(V2BulkAnswerReader.PointsText(null));
    }

    [Fact]
    public void PointsText_IsTheDecimalsInvariantText_ForWholeNumbersOfEverySize()
    {
        // Whole numbers of 1 to 29 digits (around long's limits too), as awarded points sum up (scale 0) and as
        // the general reader parses them with decimals (120.00: scale 2), of both signs.
        var random = new Random(20261128);
        for (var n = 0; n < 20_000; n++)
        {
            var digits = 1 + random.Next(29);
            var text = string.Concat(Enumerable.Range(0, digits).Select(i => (char)('0' + random.Next(i == 0 && digits > 1 ? 1 : 0, 10))));
            if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value)) continue;
            foreach (var candidate in new[] { value, -value, decimal.Round(value / 10), value + 0.00m, 1024m + random.Next(100_000) })
            {
                Assert.Equal(candidate.ToString(CultureInfo.InvariantCulture), V2BulkAnswerReader.PointsText(candidate));
            }
        }
        foreach (var edge in new[] { (decimal)long.MaxValue, long.MaxValue - 1m, long.MaxValue + 1m, (decimal)long.MinValue, decimal.MaxValue, 1023m, 1024m })
        {
            Assert.Equal(edge.ToString(CultureInfo.InvariantCulture), V2BulkAnswerReader.PointsText(edge));
        }
    }

    // ---- the scanner (fast path of the answer reader) -------------------------------------------

    [Fact]
    public void Scanner_GivesTheTokenReadersResults_ForManyUsualAnswers()
    {
        var random = new Random(20261128);
        var taken = 0;
        for (var n = 0; n < 4000; n++)
        {
            var count = random.Next(1, 8);
            var body = Encoding.UTF8.GetBytes(UsualAnswer(random, count, random.Next(5) == 0 ? count + random.Next(-1, 2) : count));

            if (!V2BulkAnswerScanner.TryRead(body, count, out var scanned)) continue;

            taken++;
            Assert.True(V2BulkAnswerReader.TryReadTokens(body, count, out var expected), $"Answer {n} taken by the scanner only: {Encoding.UTF8.GetString(body)}");
            Assert.True(expected is null ? scanned is null : scanned is not null && expected.SequenceEqual(scanned), $"Answer {n} read differently: {Encoding.UTF8.GetString(body)}");
        }
        // Most usual answers are taken (the rest: escapes, non-ASCII text, amounts that are not whole numbers, side effects outside the result…).
        Assert.True(taken > 600, $"{taken} answers taken");
    }

    [Fact]
    public void Scanner_GivesTheTokenReadersResults_ForTheGeneratedAnswers()
    {
        var random = new Random(20261127);
        for (var n = 0; n < 3000; n++)
        {
            var count = random.Next(1, 6);
            var body = Encoding.UTF8.GetBytes(GeneratedAnswer(random, count));

            if (!V2BulkAnswerScanner.TryRead(body, count, out var scanned)) continue;

            Assert.True(V2BulkAnswerReader.TryReadTokens(body, count, out var expected), $"Answer {n} taken by the scanner only: {Encoding.UTF8.GetString(body)}");
            Assert.True(expected is null ? scanned is null : scanned is not null && expected.SequenceEqual(scanned), $"Answer {n} read differently: {Encoding.UTF8.GetString(body)}");
        }
    }

    [Fact]
    public void Scanner_TakesNothingTheTokenReaderRefuses_WhenAnswersAreDamaged()
    {
        // Usual answers with one byte removed, added or replaced: whatever the scanner takes, the token reader reads the same way.
        var random = new Random(7);
        const string bytes = "{}[]\",:0123456789-+.eEtrufalsn \t\r\nx\u0001\u00e9";
        var taken = 0;
        for (var n = 0; n < 20000; n++)
        {
            var count = random.Next(1, 4);
            var text = new StringBuilder(UsualAnswer(random, count, count));
            var at = random.Next(text.Length);
            switch (random.Next(3))
            {
                case 0: text.Remove(at, 1); break;
                case 1: text.Insert(at, bytes[random.Next(bytes.Length)]); break;
                default: text[at] = bytes[random.Next(bytes.Length)]; break;
            }
            var body = Encoding.UTF8.GetBytes(text.ToString());

            if (!V2BulkAnswerScanner.TryRead(body, count, out var scanned)) continue;

            taken++;
            List<ItemResult>? expected = null;
            var read = false;
            var error = Xunit.Record.Exception(() => read = V2BulkAnswerReader.TryReadTokens(body, count, out expected));
            Assert.True(error is null && read, $"Damaged answer {n} taken by the scanner only ({error?.Message}): {text}");
            Assert.True(expected is null ? scanned is null : scanned is not null && expected.SequenceEqual(scanned), $"Damaged answer {n} read differently: {text}");
        }
        // Many damages leave valid JSON (a digit more, a space): those are still read.
        Assert.True(taken > 2000, $"{taken} damaged answers taken");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\uFEFF{\"response\":[]}")]
    [InlineData("""{"response":[{"entityId":1}]} x""")]
    [InlineData("""{"response":[{"entityId":1}]}{}""")]
    [InlineData("""{"response":[{"entityId":1},]}""")]
    [InlineData("""{"response":[{"entityId":1,}]}""")]
    [InlineData("""{"response":[{"entityId":01}]}""")]
    [InlineData("""{"response":[{"entityId":1.}]}""")]
    [InlineData("""{"response":[{"entityId":-}]}""")]
    [InlineData("""{"response":[{"entityId":1e}]}""")]
    [InlineData("""{"response":[{"entityId":+1}]}""")]
    [InlineData("""{"response":[{"entityId":"a\u0041"}]}""")]
    [InlineData("""{"response":[{"entityId":"café"}]}""")]
    [InlineData("""{"response":[{"entityId":"caf\u00e9"}]}""")]
    [InlineData("""{"response":[{"entityId":1,"result":{"note":"café"}}]}""")]
    [InlineData("""{"response":[{"entityId":1,"result":{"note":"a\u0041"}}]}""")]
    [InlineData("""{"response":[{"entityId":1,"result":{"note":"a\x"}}]}""")]
    [InlineData("""{"response":[{"entityId":1,"result":{"note":"tab	here"}}]}""")]
    [InlineData("""{"response":[{"entityId":1,"result":{"sideEffects":[{"type":"points","awardedPoints":12.5}]}}]}""")]
    [InlineData("""{"response":[{"entityId":1,"result":{"sideEffects":[{"type":"points","awardedPoints":"12"}]}}]}""")]
    [InlineData("""{"response":[{"entityId":1,"result":{"sideEffects":[{"type":"points","awardedPoints":1234567890123456789}]}}]}""")]
    [InlineData("""{"response":[{"entityId":1,"result":{"sideEffects":[{"type":"points","awardedPoints":-3}]}}]}""")]
    [InlineData("""{"response":[{"entityId":1,"result":{"sideEffects":[{"type":"points","awardedPoints":1e2}]}}]}""")]
    [InlineData("""{"response":[{"entityId":1,"sideEffects":[{"type":"points","awardedPoints":1}]}]}""")]
    [InlineData("""{"response":[{"entityId":1,"errors":[{"code":1,"code":2}]}]}""")]
    [InlineData("""{"response":[{"entityId":1,"errors":["x"]}]}""")]
    [InlineData("""{"response":[{"entityId":true}]}""")]
    [InlineData("""{"response":[{"entityId":1},"x"]}""")]
    [InlineData("""{"response":[],"response":[]}""")]
    [InlineData("""{"response":{}}""")]
    [InlineData("""[{"entityId":1}]""")]
    [InlineData("""{"response":[{"entityId":1,"result":{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}]}""")]
    public void Scanner_LeavesAnswersOutsideItsPart_ToTheTokenReader(string answer)
    {
        Assert.False(V2BulkAnswerScanner.TryRead(Encoding.UTF8.GetBytes(answer), 1, out _));
    }

    [Fact]
    public void Scanner_ReadsTheSandboxsAnswer()
    {
        var body = """
            {"response":[
             {"entityId":360744866,"result":{"id":360744866,"billNumber":"B-\"1\"","type":"REGULAR","source":"INSTORE","billAmount":1200.00,"customer":{"id":9},"sideEffects":[{"type":"points","awardedPoints":120}]},"errors":[],"warnings":[]},
             {"entityId":null,"result":null,"errors":[{"status":false,"code":604,"message":"Duplicate bill: B-2"}],"warnings":[]},
             {"entityId":"E-3","result":{"sideEffects":[{"type":"POINTS","awardedPoints":1000},{"type":"coupon","awardedPoints":5},{"type":"points","awardedPoints":24}]},"errors":[],"warnings":[{"code":"91016","message":"Invalid extended field"},{"code":1,"message":null}]}
            ],"totalCount":3,"failureCount":1}
            """u8.ToArray();

        Assert.True(V2BulkAnswerScanner.TryRead(body, 3, out var results));

        Assert.Equal(
            [
                ItemResult.Success(entityId: "360744866", points: "120"),
                ItemResult.Rejected("604", "Duplicate bill: B-2"),
                ItemResult.Success("91016", "warning: Invalid extended field; ", "E-3", "1024"),
            ],
            results);
        Assert.True(V2BulkAnswerScanner.TryRead(body, 2, out var miscounted));
        Assert.Null(miscounted);
    }

    // ---- result rows --------------------------------------------------------------------------

    [Fact]
    public async Task Run_CountsAndRejectsTheSame_WithAndWithoutAReceiverOfSucceeded()
    {
        // Bills 3, 7 and 8 refused (7 by a whole request refused), the rest taken.
        FakeApi Api() => new()
        {
            Answer = (r, _) =>
            {
                var bills = r.Json.AsArray().Select(b => b!["billNumber"]!.GetValue<string>()).ToList();
                if (bills.Contains("b-7")) return FakeApi.Json(400, """{"errors":[{"code":400,"message":"bad batch"}]}""");
                return FakeApi.V2(r, [.. bills.Select(b => b == "b-3" || b == "b-8" ? 8015 : (int?)null)]);
            },
        };

        var linked = await RunAsync(Api(), withSucceeded: true);
        var unlinked = await RunAsync(Api(), withSucceeded: false);

        Assert.Equal(RunOutcome.SucceededWithErrors, linked.Run.Outcome);
        Assert.Equal(linked.Run.Outcome, unlinked.Run.Outcome);
        var (with, without) = (linked.Run.Blocks.Single(b => b.NodeId == "block"), unlinked.Run.Blocks.Single(b => b.NodeId == "block"));
        Assert.Equal((11L, 22L - 6L, 6L), (with.RowsIn, with.RowsOut, with.Rejected));
        Assert.Equal((with.RowsIn, with.RowsOut, with.Rejected), (without.RowsIn, without.RowsOut, without.Rejected));
        // The same log, but for how long the answers took (a real clock).
        static IEnumerable<string> Timeless(RecordingObserver observer) =>
            Log(observer).Select(l => System.Text.RegularExpressions.Regex.Replace(l, "; answers in [^;]*", ""));
        Assert.Equal(Timeless(linked.Observer), Timeless(unlinked.Observer));
        Assert.Contains(Log(linked.Observer), l => l.Contains("16 rows succeeded, 6 rows rejected", StringComparison.Ordinal));
        Assert.Equal(Rejects(linked.Observer), Rejects(unlinked.Observer));
        Assert.Equal(6, Rejects(linked.Observer).Count);
        Assert.Equal(16, linked.Data.RecordOutputs["succeeded"].Rows.Count);
        Assert.False(unlinked.Data.RecordOutputs.ContainsKey("succeeded"));

        static List<string> Rejects(RecordingObserver observer) =>
            [.. observer.Rejected.Select(r => $"{r.NodeId}|{r.Code}|{r.Message}|{r.Row.Source}|{string.Join(",", r.Schema.Columns)}|{string.Join(",", r.Row.Values)}")];
    }

    [Fact]
    public async Task Run_CutsSucceededRowsIntoRunBatches_PerColumns()
    {
        var a = new RecordSchema(["bill", "sku"]);
        var b = new RecordSchema(["bill", "store", "sku"]);
        Record Item(string bill, RecordSchema schema, int line) => PayloadRecord.Create(bill, Bill(bill), schema,
            [.. Enumerable.Range(0, 2).Select(i => new Record(schema == a ? [bill, $"s{i}"] : [bill, "BLR", $"s{i}"], new SourceRef("bills.csv", line + i)))]);
        List<Record> records = [Item("b-1", a, 2), Item("b-2", a, 4), Item("b-3", a, 6), Item("b-4", b, 8), Item("b-5", a, 10), Item("b-6", a, 12), Item("b-7", a, 14)];
        var api = new FakeApi { Answer = (r, _) => FakeApi.V2(r, [.. r.Json.AsArray().Select(x => x!["billNumber"]!.GetValue<string>() == "b-2" ? 8015 : (int?)null)]) };

        var result = await Sink(new { connection = "brand", batchSize = 10, parallelRequests = 1 }, api, records).WithBatchSize(3).RunAsync();

        var batches = result.AssertSucceeded().Records("succeeded").Batches;
        Assert.Equal([3, 1, 2, 3, 3], batches.Select(x => x.Count));
        Assert.Equal(["b-1", "b-1", "b-3", "b-3", "b-4", "b-4", "b-5", "b-5", "b-6", "b-6", "b-7", "b-7"], batches.SelectMany(x => x.Rows.Select(r => r.Values[0])));
        Assert.Equal([5, 5, 6, 5, 5], batches.Select(x => x.Schema.Count - 2));
        Assert.All(batches.SelectMany(x => x.Rows), r => Assert.Equal(r.Values.Length, batches.First(x => x.Rows.Contains(r)).Schema.Count));
        Assert.Equal(2, result.Records("rejected").Rows.Count);
    }

    [Fact]
    public async Task Run_WritesEveryRowInOrder_WhenTheSucceededOutputMakesItWait()
    {
        // Batches of 3 rows (an item's 2 rows are split across batches) into a channel of 1 batch: writes wait often.
        var api = new FakeApi { Answer = (r, _) => FakeApi.V2(r, [.. r.Json.AsArray().Select(x => x!["billNumber"]!.GetValue<string>().EndsWith('7') ? 8015 : (int?)null)]) };
        using var folder = new TempFolder();
        var data = new HarnessData(folder["out"]);
        data.RecordInputs["records"] = [new RecordBatch(PayloadRecord.Schema, [.. Bills(301)])];
        data.Extra[typeof(ConnectPlus.Engine.Connectors.IConnectionProvider)] = new InMemoryConnectionProvider([Capillary()]);
        data.Extra[typeof(HttpMessageHandler)] = api;
        var dataflow = BlockHarness.For("capillary-api", new { connection = "brand", batchSize = 7, parallelRequests = 2 }).WithRecords("records", PayloadRecord.Schema, []).BuildDataflow();

        var run = await new DataflowRunner(BlockHarness.Catalog).RunAsync(dataflow,
            new RunOptions { WorkRoot = folder["work"], OutputFolder = folder["runs"], Services = data, Time = new InstantTime(), BatchSize = 3, ChannelCapacity = 1 });

        Assert.Equal(RunOutcome.SucceededWithErrors, run.Outcome);
        var succeeded = data.RecordOutputs["succeeded"];
        var expected = Enumerable.Range(1, 301).Where(b => b % 10 != 7).SelectMany(b => new[] { $"b-{b}|sku0|success", $"b-{b}|sku1|success" }).ToList();
        Assert.Equal(expected, succeeded.Rows.Select(r => $"{r.Values[0]}|{r.Values[2]}|{r.Values[4]}"));
        Assert.All(succeeded.Batches.SkipLast(1), b => Assert.Equal(3, b.Count));
        Assert.Equal(2 * 30, data.RecordOutputs["rejected"].Rows.Count);
    }

    [Fact]
    public async Task Run_ReportsAReFedResultFile_WithoutItsOldResultColumns()
    {
        var schema = new RecordSchema(["bill", "api_status", "sku", "points_awarded"]);
        List<Record> records = [PayloadRecord.Create("b-1", Bill("b-1"), schema, [new(["b-1", "failed", "s1", "3"], new SourceRef("old.csv", 2)), new(["b-1", null, "s2"], new SourceRef("old.csv", 3))])];

        var result = await Sink(new { connection = "brand" }, new FakeApi(), records).RunAsync();

        var rows = result.AssertSucceeded().Records("succeeded");
        Assert.Equal(["bill", "sku", "api_status", "api_code", "api_message", "entity_id", "points_awarded"], rows.Schema!.Columns);
        Assert.Equal("b-1|s1|success|||1000|10", string.Join("|", rows.Rows[0].Values));
        Assert.Equal("b-1|s2|success|||1000|10", string.Join("|", rows.Rows[1].Values));
        Assert.Equal(7, rows.Rows[1].Values.Length);
    }

    // ---- answers in pooled buffers -----------------------------------------------------------

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(4095, false)]
    [InlineData(4096, false)]
    [InlineData(70_000, false)]
    [InlineData(70_000, true)]
    public async Task SendAsync_ReadsTheWholeBody_WithOrWithoutItsLength(int size, bool withLength)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        using var handler = new Answering(() => new HttpResponseMessage(HttpStatusCode.Created)
        {
            Content = withLength ? new ByteArrayContent(bytes) : new StreamContent(new UnknownLength(bytes)),
        });
        using var client = new HttpApiClient(null, new HttpConnectionSettings { BaseUrl = "https://api.test" }, handler);

        var first = await client.SendAsync(HttpMethod.Post, "/items", "[]"u8.ToArray(), [], CancellationToken.None);
        var second = await client.SendAsync(HttpMethod.Post, "/items", "[]"u8.ToArray(), [], CancellationToken.None);

        Assert.Equal(201, first.Status);
        Assert.Equal(bytes, first.Body.ToArray());
        first.Release();
        first.Release();
        Assert.Equal(bytes, second.Body.ToArray());
        Assert.Equal(["https://api.test/items", "https://api.test/items"], handler.Uris.Select(u => u.AbsoluteUri));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static async Task<(RunResult Run, HarnessData Data, RecordingObserver Observer)> RunAsync(FakeApi api, bool withSucceeded)
    {
        using var folder = new TempFolder();
        var data = new HarnessData(folder["out"]);
        data.RecordInputs["records"] = [new RecordBatch(PayloadRecord.Schema, [.. Bills(11)])];
        data.Extra[typeof(ConnectPlus.Engine.Connectors.IConnectionProvider)] = new InMemoryConnectionProvider([Capillary()]);
        data.Extra[typeof(HttpMessageHandler)] = api;
        var dataflow = BlockHarness.For("capillary-api", new { connection = "brand", batchSize = 2, parallelRequests = 1 }).WithRecords("records", PayloadRecord.Schema, []).BuildDataflow();
        var dropped = withSucceeded ? new[] { "collect-rejected" } : ["collect-rejected", "collect-succeeded"];
        dataflow = dataflow with
        {
            Nodes = [.. dataflow.Nodes.Where(n => !dropped.Contains(n.Id))],
            Edges = [.. dataflow.Edges.Where(e => !dropped.Contains(e.Target.Node))],
        };
        var observer = new RecordingObserver();
        var run = await new DataflowRunner(BlockHarness.Catalog).RunAsync(dataflow,
            new RunOptions { WorkRoot = folder["work"], OutputFolder = folder["runs"], Services = data, Time = new InstantTime(), BatchSize = 3 }, observer);
        return (run, data, observer);
    }

    /// <summary>
    /// A v2 bulk answer as APIs usually write it (the sandbox, Capillary): compact or spaced out, successes with
    /// points and warnings, refusals; some with what the scanner leaves to the token reader.
    /// </summary>
    private static string UsualAnswer(Random random, int count, int items)
    {
        var spaced = random.Next(4) == 0;
        string Space() => spaced ? Pick(random, "", " ", "\n  ", "\t", "\r\n") : "";
        string Join(IEnumerable<string> parts) => string.Join("," + Space(), parts);
        string Object(IEnumerable<(string Name, string Value)> properties) =>
            "{" + Space() + Join(properties.Select(p => $"\"{p.Name}\"{Space()}:{Space()}{p.Value}")) + Space() + "}";
        string Array(IEnumerable<string> values) => "[" + Space() + Join(values) + Space() + "]";

        string Message() => Object(new List<(string, string)>
        {
            ("status", "false"),
            ("code", Pick(random, "604", "8015", "\"91016\"", "null", "0", "-1", "1.5")),
            ("message", Pick(random, "\"Customer not found\"", "\"Duplicate bill: B-1\"", "\"\"", "null", "\"a \\\"quoted\\\" bill\"", "\"caf\u00e9\"", "\"x\\u00e9\"", "\"slash \\/ tab \\t\"")),
        }.Where(_ => random.Next(6) > 0));

        string Effect() => Object(new List<(string, string)>
        {
            ("type", Pick(random, "\"points\"", "\"points\"", "\"POINTS\"", "\"Points\"", "\"coupon\"", "\"pointsx\"", "\"\"")),
            ("awardedPoints", Pick(random, "120", "0", "1", "1023", "1024", "999999999999999999", "9", "null", "12.5", "\"30\"", "-2", "1e2")),
            ("id", Pick(random, "1", "\"c-1\"", "{\"x\":[1,2,{\"y\":null}]}", "true")),
        }.Where(_ => random.Next(8) > 0));

        string Result() => Object(new List<(string, string)>
        {
            ("id", "360744866"),
            ("billNumber", Pick(random, "\"B100000001\"", "\"B-\\\"2\\\"\"", "\"\"")),
            ("type", "\"REGULAR\""),
            ("billAmount", Pick(random, "1200.00", "0", "-12.5E+3", "1e-2")),
            ("customer", Pick(random, "{\"id\":9}", "null", "{}", "[]")),
            ("sideEffects", Array(Enumerable.Range(0, random.Next(4)).Select(_ => Effect()))),
        }.Where(_ => random.Next(7) > 0).OrderBy(_ => random.Next(3)));

        string Item()
        {
            var refused = random.Next(4) == 0;
            var properties = new List<(string, string)>
            {
                ("entityId", refused ? "null" : Pick(random, "360744866", "\"E-1\"", "0", "-7", "12.50", "1e3", "null")),
                ("result", refused ? Pick(random, "null", "null", Result()) : Result()),
                ("errors", Array(Enumerable.Range(0, refused ? random.Next(1, 3) : 0).Select(_ => Message()))),
                ("warnings", Array(Enumerable.Range(0, random.Next(5) == 0 ? random.Next(1, 3) : 0).Select(_ => Message()))),
            };
            if (random.Next(20) == 0) properties.Add(("extra", Pick(random, "{\"errors\":[1]}", "[true,false,null]", "\"x\"")));
            return Object(properties.Where(_ => random.Next(10) > 0).OrderBy(_ => random.Next(2)));
        }

        var root = new List<(string, string)> { ("response", Array(Enumerable.Range(0, items).Select(_ => Item()))), ("totalCount", $"{items}"), ("failureCount", "0") };
        return Space() + Object(root.OrderBy(_ => random.Next(2))) + Space();

        static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];
    }

    /// <summary>A v2 bulk answer of <paramref name="count"/> items of every shape the reader must read as the document does.</summary>
    private static string GeneratedAnswer(Random random, int count)
    {
        var text = new StringBuilder();
        text.Append('{');
        var properties = new List<string>();
        if (random.Next(4) == 0) properties.Add($"\"totalCount\":{count}");
        var items = Enumerable.Range(0, random.Next(10) == 0 ? count + random.Next(-1, 2) : count).Select(_ => Item(random));
        properties.Add($"\"response\":[{string.Join(",", items)}]");
        if (random.Next(3) == 0) properties.Add("\"failureCount\":0,\"extra\":{\"response\":1}");
        text.AppendJoin(",", random.Next(2) == 0 ? properties : Enumerable.Reverse(properties));
        text.Append('}');
        return text.ToString();

        static string Item(Random random)
        {
            var properties = new List<string>();
            if (random.Next(6) > 0) properties.Add("\"entityId\":" + Pick(random, "360744866", "\"E-1\"", "null", "true", "12.50", "{\"id\":1}", "[1]", "\"\\u00e9t\\u00e9\"", "-7", "1e3"));
            if (random.Next(5) > 0) properties.Add("\"result\":" + Result(random));
            if (random.Next(8) == 0) properties.Add("\"sideEffects\":" + Effects(random));
            if (random.Next(4) > 0) properties.Add("\"errors\":" + Messages(random, random.Next(4) == 0 ? random.Next(1, 4) : 0));
            if (random.Next(4) > 0) properties.Add("\"warnings\":" + Messages(random, random.Next(4) == 0 ? random.Next(1, 4) : 0));
            if (random.Next(6) == 0) properties.Add("\"other\":" + Pick(random, "{\"errors\":[{\"code\":1}]}", "[{\"a\":\"b\"},2]", "\"x\"", "false"));
            Shuffle(random, properties);
            return "{" + string.Join(",", properties) + "}";
        }

        static string Result(Random random)
        {
            if (random.Next(8) == 0) return Pick(random, "null", "\"done\"", "[]", "3");
            var properties = new List<string> { "\"id\":1", "\"billNumber\":\"B-\\\"1\\\"\"", "\"customer\":{\"id\":9,\"sideEffects\":[{\"type\":\"points\",\"awardedPoints\":99}]}" };
            if (random.Next(5) > 0) properties.Add("\"sideEffects\":" + Effects(random));
            Shuffle(random, properties);
            return "{" + string.Join(",", properties) + "}";
        }

        static string Effects(Random random)
        {
            if (random.Next(10) == 0) return Pick(random, "null", "\"none\"", "7", "{\"type\":\"points\",\"awardedPoints\":4}");
            var effects = Enumerable.Range(0, random.Next(4)).Select(_ =>
            {
                if (random.Next(12) == 0) return Pick(random, "5", "\"p\"", "null", "[{\"type\":\"points\",\"awardedPoints\":1}]");
                var properties = new List<string>();
                if (random.Next(6) > 0) properties.Add("\"type\":" + Pick(random, "\"points\"", "\"points\"", "\"POINTS\"", "\"Points\"", "\"coupon\"", "\"p\\u006fints\"", "1", "null", "{\"a\":1}", "[\"points\"]"));
                if (random.Next(6) > 0) properties.Add("\"awardedPoints\":" + Pick(random, "120", "0", "12.5", "\"30\"", "\"12.50\"", "\" 7 \"", "\"1,000\"", "\"x\"", "-3", "0.10", "1023", "1024", "1e2", "2.5E1", "-1e-1", "null", "true", "{}", "[]", "\"\\u0031\""));
                if (random.Next(3) == 0) properties.Add("\"id\":" + Pick(random, "1", "\"c\"", "{\"x\":[1,2]}"));
                Shuffle(random, properties);
                return "{" + string.Join(",", properties) + "}";
            });
            return "[" + string.Join(",", effects) + "]";
        }

        static string Messages(Random random, int count)
        {
            if (random.Next(15) == 0) return Pick(random, "null", "\"none\"", "{\"code\":1,\"message\":\"m\"}");
            var messages = Enumerable.Range(0, count).Select(_ =>
            {
                if (random.Next(12) == 0) return Pick(random, "\"text\"", "3", "null");
                var properties = new List<string>();
                if (random.Next(5) > 0) properties.Add("\"code\":" + Pick(random, "8015", "\"604\"", "null", "true", "1.5", "{\"c\":1}"));
                if (random.Next(5) > 0) properties.Add("\"message\":" + Pick(random, "\"Customer not found\"", "\"Dupl\\u00efcate \\\"B-1\\\"\\n\"", "null", "42", "\"\"", "[\"m\"]", "\"\\ud83d\\ude00 emoji\""));
                if (random.Next(3) == 0) properties.Add("\"status\":false");
                Shuffle(random, properties);
                return "{" + string.Join(",", properties) + "}";
            });
            return "[" + string.Join(",", messages) + "]";
        }

        static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];

        static void Shuffle(Random random, List<string> list)
        {
            for (var i = list.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (list[i], list[j]) = (list[j], list[i]);
            }
        }
    }

    /// <summary>Answers every request with a new response and keeps the URIs asked for.</summary>
    private sealed class Answering(Func<HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<Uri> Uris { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Uris) Uris.Add(request.RequestUri!);
            return Task.FromResult(answer());
        }
    }

    /// <summary>A stream that does not tell its length (as a chunked answer), read a few bytes at a time.</summary>
    private sealed class UnknownLength(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1000));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1000)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, 1000), cancellationToken);
    }
}
