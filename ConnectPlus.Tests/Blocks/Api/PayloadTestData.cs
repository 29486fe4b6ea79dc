using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Data;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>Helpers shared by the Build API payload tests.</summary>
internal static class PayloadTestData
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A harness for the block with rows from input.csv (lines 2, 3, …).</summary>
    public static BlockHarness Build(object settings, string[] columns, params string?[][] rows) =>
        BlockHarness.For("build-api-payload", settings).WithRecords("records", columns, rows);

    /// <summary>JSON text without its layout, property order kept: what the block writes.</summary>
    public static string Json(string json) => JsonNode.Parse(json)!.ToJsonString(Compact);

    public static IReadOnlyList<string?> Payloads(this HarnessResult result) => result.Records("payloads").Column(PayloadRecord.Payload);

    public static JsonNode Payload(this HarnessResult result, int index) => JsonNode.Parse(result.Payloads()[index]!)!;

    public static IReadOnlyList<string?> Keys(this HarnessResult result) => result.Records("payloads").Column(PayloadRecord.Key);

    /// <summary>The source rows of the payload at <paramref name="index"/>, as (file, line).</summary>
    public static IReadOnlyList<SourceRef> SourcesOf(this HarnessResult result, int index)
    {
        var record = result.Records("payloads").Rows[index];
        return [.. PayloadRecord.ReadSourceRows(PayloadRecord.Schema, record).Rows.Select(r => r.Source)];
    }

    /// <summary>Rejected rows that reached the 'rejected' port: (line, code, message).</summary>
    public static IReadOnlyList<(long Line, string? Code, string? Message)> Rejected(this HarnessResult result)
    {
        var rejected = result.Records("rejected");
        return [.. rejected.Maps.Zip(rejected.Rows).Select(p => (p.Second.Source.Line, p.First["error_code"], p.First["error_message"]))];
    }

    public static string[] Of(params string[] values) => values;

    /// <summary>A v2 transaction's head from the bills' usual columns: customer by mobile, type, number, date and amount.</summary>
    public static PayloadMapping[] V2BillHead() =>
    [
        Map("identifierType", constant: "mobile"),
        Map("identifierValue", "mobile"),
        Map("type", constant: "REGULAR"),
        Map("billNumber", "bill"),
        Map("billingDate", "date"),
        Map("billAmount", "amount"),
    ];

    public static PayloadMapping Map(string field, string? source = null, string? formula = null, string? constant = null) =>
        new() { Field = field, Source = source, Formula = formula, Constant = constant };
}
