using System.Buffers;
using System.Text;
using System.Text.Json;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Data;
using ConnectPlus.Tests.Harness;
using static ConnectPlus.Tests.Blocks.Api.PayloadTestData;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>
/// The Build API payload block's fast paths (group keys joined without LINQ, rows and items handed on without
/// async state machines unless something waits, properties written with one reservation) against what the
/// general path gives: a model of the grouping, runs that must wait downstream against runs that never do,
/// and Utf8JsonWriter for the bytes.
/// </summary>
public sealed class PayloadFastPathTests
{
    private static readonly string[] Columns = ["bill", "store", "till", "date", "mobile", "amount", "sku", "qty"];

    // Key parts a file may hold: empty, missing (null), non-ASCII, the separator itself, spaces.
    private static readonly string?[] KeyParts = ["", null, "B1", "B2", "Bé", "नमस्ते", "a|b", "|", " ", "日本", "B1 "];

    [Fact]
    public async Task Run_KeysItemsByTheKeyColumnsJoinedWithBars_MissingValuesAsEmpty_ForGeneratedKeys()
    {
        var random = new Random(2026);
        var rows = new List<string?[]>();
        for (var i = 0; i < 300; i++)
        {
            var (bill, store, till) = (Pick(random), Pick(random), Pick(random));
            var lines = random.Next(1, 4);
            for (var l = 0; l < lines; l++) rows.Add([bill, store, till, "2025-04-11 11:00:00", "919800000001", "100", $"s{l}", "1"]);
        }
        var expected = ExpectedItems(rows, r => string.Join('|', r[0] ?? "", r[1] ?? "", r[2] ?? ""));

        var result = await Build(Settings(Of("bill", "store", "till")), Columns, [.. rows]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(expected.Where(e => e.Built).Select(e => e.Key), result.Keys());
        Assert.Equal(expected.Where(e => !e.Built).Sum(e => e.Rows), result.Rejected().Count);
        Assert.All(result.Rejected(), r => Assert.Equal(BuildApiPayloadBlock.UnsortedErrorCode, r.Code));
    }

    [Fact]
    public async Task Run_ReadsAMissingTrailingKeyColumnAsEmpty_InAJoinedKey()
    {
        var schema = new RecordSchema(["bill", "date", "mobile", "amount", "sku", "qty", "store", "till"]);
        var rows = new[]
        {
            new Record(["B1", "2025-04-11 11:00:00", "919800000001", "100", "s1", "1", "S1", "T1"], new SourceRef("input.csv", 2)),
            // A short row (fewer values than columns): its missing 'till' reads as empty.
            new Record(["B1", "2025-04-11 11:00:00", "919800000001", "100", "s1", "1", "S1"], new SourceRef("input.csv", 3)),
        };

        var result = await BlockHarness.For("build-api-payload", Settings(Of("bill", "till"))).WithRecords("records", schema, rows).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B1|T1", "B1|"], result.Keys());
    }

    [Theory]
    [InlineData("consecutive", "rejectItem")]
    [InlineData("consecutive", "rejectRowOnly")]
    [InlineData("wholeFile", "rejectItem")]
    public async Task Run_GivesTheSameItemsAndRejects_WhenEveryItemWaitsDownstream_AsWhenNoneDoes(string groupMode, string rowErrors)
    {
        var rows = GeneratedBills(new Random(7), 400);
        var settings = new { endpoint = "v2TransactionsBulk", groupBy = Of("bill"), groupMode, rowErrors, mapping = V2Mapping() };

        // Batch size 1: every item is a batch of its own, written to a link of 4 batches, so writes wait for the reader.
        var waiting = await Build(settings, Columns, [.. rows]).WithBatchSize(1).RunAsync();
        var flowing = await Build(settings, Columns, [.. rows]).WithBatchSize(4096).RunAsync();

        waiting.AssertSucceeded();
        flowing.AssertSucceeded();
        Assert.True(flowing.Payloads().Count > 100, "the generated bills should give many items");
        Assert.True(flowing.Rejected().Count > 10, "the generated bills should give rejects (late keys, bad values)");
        Assert.Equal(flowing.Keys(), waiting.Keys());
        Assert.Equal(flowing.Payloads(), waiting.Payloads());
        Assert.Equal(flowing.Rejected(), waiting.Rejected());
        Assert.Equal(flowing.Records("payloads").Column(PayloadRecord.SourceRows), waiting.Records("payloads").Column(PayloadRecord.SourceRows));
    }

    [Fact]
    public async Task Run_BuildsTheItemsAModelOfConsecutiveGroupingExpects_WithRejectsInBetween()
    {
        var rows = GeneratedBills(new Random(11), 400);
        var expected = ExpectedItems(rows, r => r[0] ?? "");
        var settings = new { endpoint = "v2TransactionsBulk", groupBy = Of("bill"), groupMode = "consecutive", rowErrors = "rejectItem", mapping = V2Mapping() };

        var result = await Build(settings, Columns, [.. rows]).WithBatchSize(3).RunAsync();

        result.AssertSucceeded();
        // An item that is not late is built unless one of its rows has a bad value (then all its rows are rejected).
        var built = expected.Where(e => e.Built && !e.HasBadValue).ToList();
        Assert.Equal(built.Select(e => e.Key), result.Keys());
        Assert.Equal(built.Select(e => e.Rows), Enumerable.Range(0, built.Count).Select(i => result.SourcesOf(i).Count));
        var rejected = result.Rejected();
        Assert.Equal(expected.Where(e => !e.Built).Sum(e => e.Rows), rejected.Count(r => r.Code == BuildApiPayloadBlock.UnsortedErrorCode));
        Assert.Equal(expected.Where(e => e.Built && e.HasBadValue).Sum(e => e.Rows), rejected.Count(r => r.Code == BuildApiPayloadBlock.FieldErrorCode));
        Assert.Equal(rejected.Count, rejected.Select(r => r.Line).Distinct().Count());
    }

    [Fact]
    public void WriteProperty_WritesWhatUtf8JsonWriterWrites_ForNamesAndValuesOfEveryKind()
    {
        string[] texts =
        [
            "", "B100000001", "2026-10-28T00:00:09+05:30", "Basmati Rice 5kg, Blue", "say \"hi\"", @"C:\path", "tab\there",
            "\u0000\u001f", "<b>&amp;'`</b>", "Café crème", "नमस्ते", "emoji \U0001F600", "sep\u2028end", "\u007f\u0080",
            new string('x', 5000) + "\"" + new string('é', 3000), string.Concat(Enumerable.Range(0, 128).Select(c => (char)c)),
        ];
        string[] numbers = ["0", "-3", "250.50", "true", "false", "79228162514264337593543950335", "1٢3"];
        string[] names = ["billNumber", "a\"b", "naïve", "日本", "<tag>"];
        foreach (var name in names)
        {
            foreach (var (value, raw) in texts.Select(t => (t, false)).Concat(numbers.Select(n => (n, true))))
            {
                foreach (var first in new[] { true, false })
                {
                    var (expectedBytes, actualBytes) = PayloadJsonWriterComparison.WriteProperty(name, value, raw, first);
                    var (expected, actual) = (Encoding.UTF8.GetString(expectedBytes), Encoding.UTF8.GetString(actualBytes));
                    Assert.True(expected == actual, $"Name '{name}', value of {value.Length} chars (raw {raw}, first {first}): expected {expected[..Math.Min(200, expected.Length)]}, got {actual[..Math.Min(200, actual.Length)]}");
                }
            }
        }
    }

    private static string? Pick(Random random) => KeyParts[random.Next(KeyParts.Length)];

    private static PayloadMapping[] V2Mapping() =>
    [
        .. V2BillHead(),
        Map("lineItemsV2[].itemCode", "sku"),
        Map("lineItemsV2[].qty", "qty"),
    ];

    // The bill number from a column that always has a value: the key columns may be empty here.
    private static object Settings(string[] groupBy) =>
        new { endpoint = "v2TransactionsBulk", groupBy, groupMode = "consecutive", mapping = V2Mapping().Select(m => m.Field == "billNumber" ? Map("billNumber", "mobile") : m).ToArray() };

    /// <summary>
    /// Bills of 1-3 lines, mostly in order; some bill numbers come back later (late keys), some bills have a bad
    /// date (item level) or a bad quantity (line level), some numbers and descriptions are not ASCII.
    /// </summary>
    private static List<string?[]> GeneratedBills(Random random, int bills)
    {
        var rows = new List<string?[]>();
        for (var b = 0; b < bills; b++)
        {
            var bill = random.Next(12) == 0 && b > 10 ? $"B{random.Next(1, b):D5}" : $"B{b:D5}";
            var date = random.Next(25) == 0 ? "yesterday" : $"2025-04-{1 + b % 28:D2} 1{b % 10}:00:00";
            var lines = random.Next(1, 4);
            for (var l = 0; l < lines; l++)
            {
                var qty = random.Next(40) == 0 ? "two" : $"{random.Next(1, 9)}";
                var sku = random.Next(10) == 0 ? $"SKU-é{l}" : $"SKU{b}-{l}";
                rows.Add([bill, "S1", "T1", date, $"9198{b:D8}", $"{random.Next(1, 9999)}.{random.Next(100):D2}", sku, qty]);
            }
        }
        return rows;
    }

    /// <summary>A model of consecutive grouping: runs of rows with one key, late when the key was built before.</summary>
    private static List<(string Key, int Rows, bool Built, bool HasBadValue)> ExpectedItems(List<string?[]> rows, Func<string?[], string> key)
    {
        var items = new List<(string Key, int Rows, bool Built, bool HasBadValue)>();
        var closed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count;)
        {
            var k = key(rows[i]);
            var end = i;
            var bad = false;
            while (end < rows.Count && key(rows[end]) == k)
            {
                bad |= rows[end][3] == "yesterday" || rows[end][7] == "two";
                end++;
            }
            items.Add((k, end - i, !closed.Contains(k), bad));
            closed.Add(k);
            i = end;
        }
        return items;
    }
}
