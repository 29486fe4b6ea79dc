using System.Buffers;
using System.Text;
using System.Text.Json;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Expressions;
using ConnectPlus.Engine.Model;
using static ConnectPlus.Tests.Blocks.Api.PayloadTestData;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>
/// The quick conversions of <see cref="PayloadBinding.ValueFor"/> (non-blank text, plain JSON numbers) against
/// <see cref="PayloadValueConverter.Convert"/>, and the one-pass narrowing of <see cref="PayloadJsonWriter.WriteProperty"/>
/// against <see cref="Utf8JsonWriter"/>, on generated values: blank, white space around, signs, leading zeros,
/// exponents, non-ASCII digits and letters, chars the encoder escapes at every position, long values.
/// </summary>
public sealed class PayloadQuickPathTests
{
    private static readonly string[] Columns = ["text", "number", "whole", "numberText", "wholeText", "flag", "date", "choice", "map"];

    // Pieces generated values are made of: digits and signs, white space of several kinds, letters, escapes, non-ASCII.
    private static readonly string[] Pieces =
    [
        "0", "1", "7", "00", "12", "-", "+", ".", "e", "E", "5", "9", " ", "\t", "\u00A0", "\u2028", "a", "Z", "\"", "\\", "<", "&", "'",
        "\u0000", "\u001F", "\u007F", "é", "١", "५", "日本", "\U0001F600", "true", "No", ",", "/",
    ];

    [Fact]
    public void ValueFor_GivesWhatTheConverterGives_ForGeneratedValuesOfEveryFieldType()
    {
        var settings = Settings(new
        {
            endpoint = "custom",
            timeZone = "Asia/Kolkata",
            customTemplate = new { text = "text", number = "number", whole = "integer", numberText = "number as text", wholeText = "integer as text", flag = "boolean", date = "datetime", choice = "enum(A|B)", map = new Dictionary<string, string> { ["*"] = "text" } },
            mapping = new[]
            {
                Map("text", "text"), Map("number", "number"), Map("whole", "whole"), Map("numberText", "numberText"), Map("wholeText", "wholeText"),
                Map("flag", "flag"), Map("date", "date"), Map("choice", "choice"), Map("map.entry", "map"),
            },
        });
        var plan = PayloadPlan.Compile(settings);
        var binding = PayloadBinding.For(plan, new RecordSchema(Columns), new FormulaEnvironment(), "values.csv");
        var random = new Random(7);
        var compared = 0;
        foreach (var raw in GeneratedValues(random, 6000))
        {
            // The same value in every column; and a short row, whose columns beyond its values read as missing.
            var row = new Record(Enumerable.Repeat(raw, Columns.Length).ToArray(), new SourceRef("values.csv", 2));
            var shortRow = new Record([raw], new SourceRef("values.csv", 3));
            foreach (var target in plan.Targets)
            {
                foreach (var (record, value) in new[] { (row, raw), (shortRow, target.Index == 0 ? raw : null) })
                {
                    var expected = target.Field is { } field
                        ? plan.Converter.Convert(field, value, keepEmptyText: false, target.Origin)
                        : string.IsNullOrWhiteSpace(value) ? PayloadValue.Missing : PayloadValue.OfText(value);
                    var actual = binding.ValueFor(target, record);
                    Assert.True(expected.Kind == actual.Kind && expected.Text == actual.Text && expected.V2Date == actual.V2Date,
                        $"'{target.Path}' of '{Escape(value)}': expected {expected.Kind} '{expected.Text}', got {actual.Kind} '{actual.Text}'.");
                    compared++;
                }
            }
        }
        Assert.Equal(6000 * 2 * Columns.Length, compared);
    }

    [Fact]
    public void ValueFor_TakesPlainNumbersAsTheyCame_AndLeavesTheRestToTheConverter()
    {
        var settings = Settings(new
        {
            endpoint = "custom",
            customTemplate = new { number = "number", whole = "integer" },
            mapping = new[] { Map("number", "number"), Map("whole", "whole") },
        });
        var plan = PayloadPlan.Compile(settings);
        var binding = PayloadBinding.For(plan, new RecordSchema(["number", "whole"]), new FormulaEnvironment(), "values.csv");
        string Value(int target, string raw)
        {
            var value = binding.ValueFor(plan.Targets[target], new Record([raw, raw], new SourceRef("values.csv", 2)));
            return $"{value.Kind}:{value.Text}";
        }

        Assert.Equal("Number:250.50", Value(0, "250.50"));
        Assert.Equal("Number:250.5", Value(0, "0250.5"));
        Assert.Equal("Number:0.00", Value(0, "-0.00"));
        Assert.Equal("Number:12", Value(0, " 12"));
        Assert.Equal("Number:-3", Value(1, "-3"));
        Assert.Equal("Number:3", Value(1, "3.0"));
        Assert.StartsWith("Invalid:Field 'whole' must be a whole number; got '3.5'", Value(1, "3.5"), StringComparison.Ordinal);
        Assert.StartsWith("Invalid:Field 'number' must be a number; got '१२'", Value(0, "१२"), StringComparison.Ordinal);
        Assert.Equal("Missing:", Value(0, "  "));
    }

    [Fact]
    public void WriteProperty_WritesWhatUtf8JsonWriterWrites_ForGeneratedText()
    {
        var random = new Random(2027);
        var texts = GeneratedValues(random, 3000).Where(t => t is not null).Select(t => t!)
            .Concat(Enumerable.Range(0, 0x100).Select(c => $"abcdefghijklmnopqrstuvwxyz{(char)c}0123456789"))
            .Concat([new string('x', 9000), new string('x', 9000) + "\"", "é" + new string('x', 9000)]);
        foreach (var text in texts)
        {
            // A raw value is a JSON number or literal, never empty (Utf8JsonWriter refuses to write an empty one).
            foreach (var raw in text.Length == 0 ? [false] : new[] { false, true })
            {
                var (expected, actual) = PayloadJsonWriterComparison.WriteProperty("name", text, raw);

                Assert.True(expected.AsSpan().SequenceEqual(actual), $"'{Escape(text)}' (raw {raw}): expected {Encoding.UTF8.GetString(expected)}, got {Encoding.UTF8.GetString(actual)}");
            }
        }
    }

    [Fact]
    public void Build_WritesTheSameItemsAndRejects_WithTheQuickPaths_AsWithTheConverterForEveryValue()
    {
        // Every field of the v2 transaction's lines: text, numbers (some as text), a date; values repeat as the same
        // string instance (as the CSV reader gives them) or as equal copies, and some are blank, not ASCII, escaped or invalid.
        PayloadMapping[] mapping =
        [
            .. V2BillHead(),
            Map("grossAmount", "amount"),
            Map("lineItemsV2[].itemCode", "sku"),
            Map("lineItemsV2[].description", "name"),
            Map("lineItemsV2[].qty", "qty"),
            Map("lineItemsV2[].rate", "rate"),
            Map("lineItemsV2[].amount", "amount"),
        ];
        foreach (var rowErrors in new[] { PayloadRowErrors.RejectItem, PayloadRowErrors.RejectRowOnly })
        {
            var settings = Settings(new { endpoint = "v2TransactionsBulk", groupBy = Of("bill"), timeZone = "Asia/Kolkata", rowErrors, mapping });
            var plan = PayloadPlan.Compile(settings);
            var schema = new RecordSchema(["bill", "date", "mobile", "amount", "sku", "name", "qty", "rate"]);
            var quick = PayloadBinding.For(plan, schema, new FormulaEnvironment(), "bills.csv");
            using var builder = new PayloadItemBuilder(plan, rowErrors);
            var random = new Random(31);
            string[] shared = ["Basmati Rice 5kg, Blue", "1", "2", "250.50", "Café", "say \"hi\"", "", " ", "x", "-0", "007", "1e3", "१२"];
            string[] numbers = ["1", "2", "250.50", "0.5", "-3", "12", "0"];
            string[] texts = ["Basmati Rice 5kg, Blue", "SKU104070", "Café", "say \"hi\"", "नमस्ते", "tab\there"];
            // Mostly good values, one in ten anything at all (blank, invalid numbers...).
            string Value(string[] choices)
            {
                if (random.Next(10) == 0) choices = shared;
                var value = choices[random.Next(choices.Length)];
                return random.Next(3) == 0 ? new string(value) : value;
            }
            var (built, rejected) = (0, 0);
            for (var b = 0; b < 400; b++)
            {
                var rows = new List<Record>();
                var bill = $"B{b}";
                var date = random.Next(20) == 0 ? "2025-13-01 00:00:00" : $"2025-04-{1 + b % 28:D2} 1{b % 10}:00:00";
                var amount = random.Next(10) == 0 ? Value(shared) : $"{b}.{b % 100:D2}";
                for (var l = random.Next(1, 4); l > 0; l--)
                    rows.Add(new Record([bill, date, $"9198{b:D8}", amount, Value(texts), Value(texts), Value(numbers), Value(numbers)], new SourceRef("bills.csv", rows.Count + 2)));

                var expected = Expected(plan, schema, rowErrors, rows, bill);
                var rejects = new List<PayloadReject>();
                var ok = builder.TryBuild(quick, rows, bill, rejects, withText: false, out var item);
                Assert.Equal(expected.Json, ok ? Encoding.UTF8.GetString(((PayloadItem)item.Attachment!).Json) : null);
                Assert.Equal(expected.Rejects, rejects);
                if (ok) built++;
                if (rejects.Count > 0) rejected++;
            }
            Assert.True(built > 50 && rejected > 50, $"{built} items built, {rejected} with rejects: the data should give plenty of both.");
        }
    }

    /// <summary>What the builder gives when every value goes through the converter: a binding whose quick paths are off.</summary>
    private static (string? Json, List<PayloadReject> Rejects) Expected(PayloadPlan plan, RecordSchema schema, PayloadRowErrors rowErrors, List<Record> rows, string key)
    {
        var general = PayloadBinding.For(plan, schema, new FormulaEnvironment(), "bills.csv", quick: false);
        using var builder = new PayloadItemBuilder(plan, rowErrors);
        var rejects = new List<PayloadReject>();
        var ok = builder.TryBuild(general, rows, key, rejects, withText: false, out var item);
        return (ok ? Encoding.UTF8.GetString(((PayloadItem)item.Attachment!).Json) : null, rejects);
    }

    private static BuildApiPayloadSettings Settings(object settings) =>
        JsonSerializer.Deserialize<BuildApiPayloadSettings>(JsonSerializer.Serialize(settings, DataflowJson.Options), DataflowJson.Options)!;

    /// <summary>Values made of 0 to 5 pieces (some repeated as the same instance), and null.</summary>
    private static IEnumerable<string?> GeneratedValues(Random random, int count)
    {
        string? last = null;
        for (var i = 0; i < count; i++)
        {
            if (i % 97 == 0)
            {
                yield return null;
                continue;
            }
            if (last is not null && random.Next(8) == 0)
            {
                yield return last;
                continue;
            }
            var text = new StringBuilder();
            for (var p = random.Next(0, 6); p > 0; p--) text.Append(Pieces[random.Next(Pieces.Length)]);
            if (random.Next(10) == 0) text.Append(new string('9', random.Next(15, 25)));
            yield return last = text.ToString();
        }
    }

    private static string Escape(string? text) => text is null ? "(null)" : string.Concat(text.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}
