using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Data;
using ConnectPlus.Tests.Harness;
using static ConnectPlus.Tests.Blocks.Api.PayloadTestData;

namespace ConnectPlus.Tests.Blocks.Api;

public sealed class BuildApiPayloadBlockTests
{
    private static readonly string[] Bills = ["bill", "date", "mobile", "amount", "mode", "sku", "qty"];

    private static PayloadMapping[] V2Mapping(params PayloadMapping[] extra) =>
    [
        .. V2BillHead(),
        Map("paymentModes[].mode", "mode"),
        Map("lineItemsV2[].itemCode", "sku"),
        Map("lineItemsV2[].qty", "qty"),
        .. extra,
    ];

    private static object V2(string[]? groupBy = null, string groupMode = "consecutive", string rowErrors = "rejectItem", PayloadMapping[]? mapping = null) =>
        new { endpoint = "v2TransactionsBulk", groupBy = groupBy ?? Of("bill"), groupMode, rowErrors, mapping = mapping ?? V2Mapping() };

    private static string?[] Bill(string bill, string sku, string qty = "1", string amount = "100", string mobile = "919800000001", string date = "2025-04-11 11:00:00", string mode = "Cash") =>
        [bill, date, mobile, amount, mode, sku, qty];

    private static int LineCount(JsonNode payload) => payload["lineItemsV2"]!.AsArray().Count;

    // ---- Grouping ----

    [Fact]
    public async Task Run_GroupsConsecutiveRowsWithTheSameKey_AcrossInputBatches()
    {
        var result = await BlockHarness.For("build-api-payload", V2()).WithBatchSize(2)
            .WithRecords("records", Bills,
                Bill("B1", "s1"), Bill("B1", "s2"), Bill("B1", "s3"), Bill("B2", "s4"), Bill("B3", "s5"), Bill("B3", "s6"))
            .RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B1", "B2", "B3"], result.Keys());
        Assert.Equal([3, 1, 2], Enumerable.Range(0, 3).Select(i => LineCount(result.Payload(i))));
        Assert.Equal(["s1", "s2", "s3"], result.Payload(0)["lineItemsV2"]!.AsArray().Select(l => (string?)l!["itemCode"]));
        Assert.Equal([6L, 7L], result.SourcesOf(2).Select(s => s.Line));
        Assert.Equal(6, result.Stats.RowsIn);
        Assert.Equal(3, result.Stats.RowsOut);
    }

    [Fact]
    public async Task Run_RejectsTheRowsOfAKeyThatComesBack_InConsecutiveMode()
    {
        var result = await Build(V2(), Bills,
            Bill("B1", "s1"), Bill("B1", "s2"), Bill("B2", "s3"), Bill("B1", "s4"), Bill("B1", "s5"), Bill("B3", "s6")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B1", "B2", "B3"], result.Keys());
        Assert.Equal(2, LineCount(result.Payload(0)));
        var rejected = result.Rejected();
        Assert.Equal([5L, 6L], rejected.Select(r => r.Line));
        Assert.All(rejected, r => Assert.Equal(BuildApiPayloadBlock.UnsortedErrorCode, r.Code));
        Assert.Equal(
            "The key 'B1' (bill) came back after other keys: its item was already built from the earlier rows, and a second item with the same key would be refused as a duplicate or complete the first wrongly. Sort the input by bill, or set 'Group mode' to wholeFile.",
            rejected[0].Message);
    }

    [Fact]
    public async Task Run_TellsKeysThatComeBack_FromKeysBelowTheGreatestThatAreNew_BeforeAndAfterTheFirstLookUp()
    {
        // B3 then B2: B2 is below the greatest key closed, so it is looked up (not found: a new item). After that
        // first look-up, keys closed later (B2, B4) must still be recognised when they come back.
        var result = await Build(V2(), Bills,
            Bill("B1", "s1"), Bill("B3", "s2"), Bill("B2", "s3"), Bill("B4", "s4"), Bill("B2", "s5"), Bill("B4", "s6"), Bill("B5", "s7"), Bill("B1", "s8")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B1", "B3", "B2", "B4", "B5"], result.Keys());
        var rejected = result.Rejected();
        Assert.Equal([6L, 7L, 9L], rejected.Select(r => r.Line));
        Assert.All(rejected, r => Assert.Equal(BuildApiPayloadBlock.UnsortedErrorCode, r.Code));
    }

    [Fact]
    public async Task Run_GroupsRowsInAnyOrder_InWholeFileMode_InOrderOfFirstAppearance()
    {
        var result = await Build(V2(groupMode: "wholeFile"), Bills,
            Bill("B1", "s1"), Bill("B2", "s2"), Bill("B1", "s3"), Bill("B3", "s4"), Bill("B2", "s5")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B1", "B2", "B3"], result.Keys());
        Assert.Equal([2L, 4L], result.SourcesOf(0).Select(s => s.Line));
        Assert.Equal([3L, 6L], result.SourcesOf(1).Select(s => s.Line));
        Assert.Equal(["s1", "s3"], result.Payload(0)["lineItemsV2"]!.AsArray().Select(l => (string?)l!["itemCode"]));
        Assert.Empty(result.Rejected());
        Assert.Contains(result.Run.Log, l => l.Message.Contains("held 5 row(s) in 3 item(s)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("consecutive")]
    [InlineData("wholeFile")]
    public async Task Run_NeverGroupsRowsOfTwoInputFiles(string groupMode)
    {
        var schema = new RecordSchema(Bills);
        Record[] rows =
        [
            new(Bill("B1", "s1"), new SourceRef("a.csv", 2)),
            new(Bill("B1", "s2"), new SourceRef("a.csv", 3)),
            new(Bill("B1", "s3"), new SourceRef("b.csv", 2)),
        ];

        var result = await BlockHarness.For("build-api-payload", V2(groupMode: groupMode)).WithRecords("records", schema, rows).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B1", "B1"], result.Keys());
        Assert.Equal([new SourceRef("a.csv", 2), new SourceRef("a.csv", 3)], result.SourcesOf(0));
        Assert.Equal([new SourceRef("b.csv", 2)], result.SourcesOf(1));
        Assert.Empty(result.Rejected());
    }

    [Fact]
    public async Task Run_MakesOneItemPerRow_WithoutGroupBy_KeyedByTheBillNumber()
    {
        var result = await Build(V2(groupBy: []), Bills, Bill("B1", "s1"), Bill("B1", "s2")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B1", "B1"], result.Keys());
        Assert.Equal([1, 1], Enumerable.Range(0, 2).Select(i => LineCount(result.Payload(i))));
    }

    [Fact]
    public async Task Run_KeysItemsByEveryGroupByColumn()
    {
        var result = await Build(V2(groupBy: Of("bill", "mode")), Bills, Bill("B1", "s1"), Bill("B1", "s2", mode: "Card")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B1|Cash", "B1|Card"], result.Keys());
    }

    [Fact]
    public async Task Run_CarriesEveryInputRowInSourceRows_IncludingRowsThatAddNoLineItem()
    {
        var result = await Build(V2(), Bills,
            Bill("B1", "s1", qty: "2"),
            Bill("B1", "", qty: "", mode: "Card"),
            Bill("B1", "s2")).RunAsync();

        result.AssertSucceeded();
        var payload = result.Payload(0);
        Assert.Equal(2, LineCount(payload));
        Assert.Equal(["Cash", "Card"], payload["paymentModes"]!.AsArray().Select(p => (string?)p!["mode"]));
        var (schema, rows) = PayloadRecord.ReadSourceRows(PayloadRecord.Schema, result.Records("payloads").Rows[0]);
        Assert.Equal(Bills, schema.Columns);
        Assert.Equal([2L, 3L, 4L], rows.Select(r => r.Source.Line));
        Assert.All(rows, r => Assert.Equal("input.csv", r.Source.File));
        Assert.Equal(Bill("B1", "", qty: "", mode: "Card"), rows[1].Values);
    }

    // ---- Formulas and constants ----

    [Fact]
    public async Task Run_ComputesFieldsWithFormulas_AndWritesConstants()
    {
        var mapping = new[]
        {
            Map("identifierType", constant: "mobile"),
            Map("identifierValue", formula: "concat('91', [mobile])"),
            Map("type", constant: "REGULAR"),
            Map("billNumber", formula: "upper([bill])"),
            Map("billingDate", formula: "reformatDate([date], 'dd.MM.yyyy', 'yyyy-MM-dd')"),
            Map("billAmount", formula: "round([amount] * 1.18, 2)"),
            Map("currencyCode", constant: "INR"),
            Map("lineItemsV2[].itemCode", "sku"),
        };

        var result = await Build(V2(mapping: mapping), Bills, Bill("b1", "s1", amount: "100.5", mobile: "9800000001", date: "11.04.2025")).RunAsync();

        result.AssertSucceeded();
        var payload = result.Payload(0);
        Assert.Equal("919800000001", (string?)payload["identifierValue"]);
        Assert.Equal("B1", (string?)payload["billNumber"]);
        Assert.Equal("2025-04-11T00:00:00", (string?)payload["billingDate"]);
        Assert.Equal("118.59", (string?)payload["billAmount"]);
        Assert.Equal("INR", (string?)payload["currencyCode"]);
    }

    [Fact]
    public async Task Run_RejectsTheItem_WhenAFormulaFailsOnItsRow()
    {
        var mapping = V2Mapping().Where(m => m.Field != "billAmount")
            .Append(Map("billAmount", formula: "[amount] * 2")).ToArray();

        var result = await Build(V2(mapping: mapping), Bills, Bill("B1", "s1", amount: "abc"), Bill("B2", "s2")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B2"], result.Keys());
        var (line, code, message) = Assert.Single(result.Rejected());
        Assert.Equal((2L, BuildApiPayloadBlock.FormulaErrorCode), (line, code));
        Assert.StartsWith("Field 'billAmount': ", message, StringComparison.Ordinal);
        Assert.Contains("'abc' from column 'amount' is not a number", message, StringComparison.Ordinal);
    }

    // ---- Typed conversion ----

    [Fact]
    public async Task Run_RejectsEveryRowOfTheItem_WhenAnItemLevelNumberIsBad()
    {
        var result = await Build(V2(), Bills,
            Bill("B1", "s1", amount: "1,250.00"), Bill("B1", "s2", amount: "1,250.00"), Bill("B2", "s3")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B2"], result.Keys());
        Assert.Equal(
            [
                (2L, "PAYLOAD_FIELD", "Field 'billAmount' must be a number; got '1,250.00' from column 'amount' (write digits with '.' for decimals and no thousands separators). The whole item 'B1' is rejected (2 rows)."),
                (3L, "PAYLOAD_FIELD", "Field 'billAmount' must be a number; got '1,250.00' from column 'amount' (write digits with '.' for decimals and no thousands separators). The whole item 'B1' is rejected (2 rows)."),
            ],
            result.Rejected());
    }

    [Fact]
    public async Task Run_RejectsTheWholeItem_WhenOneOfItsLinesIsBad_ByDefault()
    {
        var result = await Build(V2(), Bills, Bill("B1", "s1"), Bill("B1", "s2", qty: "two"), Bill("B2", "s3")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B2"], result.Keys());
        Assert.Equal(
            [
                (2L, "PAYLOAD_FIELD", "Rejected with its item 'B1': the row at input.csv line 3 failed: Field 'lineItemsV2[].qty' must be a number; got 'two' from column 'qty' (write digits with '.' for decimals and no thousands separators)."),
                (3L, "PAYLOAD_FIELD", "Field 'lineItemsV2[].qty' must be a number; got 'two' from column 'qty' (write digits with '.' for decimals and no thousands separators). The whole item 'B1' is rejected (2 rows)."),
            ],
            result.Rejected());
    }

    [Fact]
    public async Task Run_SendsTheItemWithoutTheBadLine_WhenRowErrorsIsRejectRowOnly()
    {
        var result = await Build(V2(rowErrors: "rejectRowOnly"), Bills, Bill("B1", "s1"), Bill("B1", "s2", qty: "two"), Bill("B1", "s3")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["s1", "s3"], result.Payload(0)["lineItemsV2"]!.AsArray().Select(l => (string?)l!["itemCode"]));
        Assert.Equal([2L, 4L], result.SourcesOf(0).Select(s => s.Line));
        var (line, code, message) = Assert.Single(result.Rejected());
        Assert.Equal((3L, "PAYLOAD_FIELD"), (line, code));
        Assert.StartsWith("Field 'lineItemsV2[].qty' must be a number; got 'two'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RejectsAWholeNumberFieldGivenAFraction()
    {
        var result = await Build(
            new { endpoint = "v11PointsRedeem", mapping = new[] { Map("points_redeemed", "points"), Map("customer.mobile", "mobile") } },
            ["points", "mobile"], ["10.5", "919800000001"], ["12.0", "919800000002"]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(12, (int)result.Payload(0)["points_redeemed"]!);
        var (_, code, message) = Assert.Single(result.Rejected());
        Assert.Equal(("PAYLOAD_FIELD", "Field 'points_redeemed' must be a whole number; got '10.5' from column 'points'."), (code, message));
    }

    [Fact]
    public async Task Run_ReadsBooleansInTheirUsualSpellings_AndRejectsOthers()
    {
        var result = await Build(
            new { endpoint = "custom", customTemplate = new { id = "text", active = "boolean", flag = "boolean as text" }, mapping = new[] { Map("id", "id"), Map("active", "active"), Map("flag", "active") } },
            ["id", "active"], ["1", "TRUE"], ["2", "0"], ["3", "maybe"]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal([Json("""{"id":"1","active":true,"flag":"true"}"""), Json("""{"id":"2","active":false,"flag":"false"}""")], result.Payloads());
        Assert.Equal("Field 'active' must be true or false (also 1/0, yes/no); got 'maybe' from column 'active'.", Assert.Single(result.Rejected()).Message);
    }

    [Fact]
    public async Task Run_RejectsAValueInTheWrongCase_SayingThatValuesAreCaseSensitive()
    {
        var mapping = V2Mapping(Map("source", "channel"));
        string[] columns = [.. Bills, "channel"];

        var result = await Build(V2(mapping: mapping), columns, [.. Bill("B1", "s1"), "Instore"], [.. Bill("B2", "s2"), "Kiosk"], [.. Bill("B3", "s3"), "INSTORE"]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B3"], result.Keys());
        var sources = string.Join(", ", PayloadTemplates.Sources);
        Assert.Equal(
            [
                $"Field 'source' must be one of {sources}; got 'Instore' from column 'channel' (values are case-sensitive: did you mean 'INSTORE'?).",
                $"Field 'source' must be one of {sources}; got 'Kiosk' from column 'channel' (values are case-sensitive).",
            ],
            result.Rejected().Select(r => r.Message));
    }

    [Fact]
    public async Task Run_RejectsADateItCannotRead_NamingTheFormatsTried()
    {
        var settings = new { endpoint = "v2TransactionsBulk", groupBy = Of("bill"), dateInputFormats = Of("dd/MM/yyyy HH:mm"), mapping = V2Mapping() };

        var result = await Build(settings, Bills,
            Bill("B1", "s1", date: "27/11/2026 10:15"),
            Bill("B2", "s2", date: "2026-11-31 10:15:00"),
            Bill("B3", "s3", date: "yesterday")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B1"], result.Keys());
        Assert.Equal("2026-11-27T10:15:00", (string?)result.Payload(0)["billingDate"]);
        var rejected = result.Rejected();
        Assert.Equal([3L, 4L], rejected.Select(r => r.Line));
        Assert.Equal(
            $"Field 'billingDate' must be a date; got 'yesterday' from column 'date', which matches none of the formats tried: dd/MM/yyyy HH:mm, {string.Join(", ", PayloadDates.IsoFormats)}. Add its format to 'dateInputFormats'.",
            rejected[1].Message);
    }

    [Theory]
    [InlineData("v2TransactionsBulk", "11/04/2025 11:00", "dd/MM/yyyy HH:mm", null, "2025-04-11T11:00:00")]
    [InlineData("v2TransactionsBulk", "11/04/2025 11:00", "dd/MM/yyyy HH:mm", "Asia/Kolkata", "2025-04-11T11:00:00+05:30")]
    [InlineData("v2TransactionsBulk", "2025-04-11T05:30:00Z", null, "Asia/Kolkata", "2025-04-11T11:00:00+05:30")]
    [InlineData("v2TransactionsBulk", "2025-04-11T11:00:00+05:30", null, null, "2025-04-11T11:00:00+05:30")]
    [InlineData("v2TransactionsBulk", "2025-04-11", null, null, "2025-04-11T00:00:00")]
    [InlineData("v2TransactionsBulk", "2025-01-15 09:00:00", null, "Europe/Paris", "2025-01-15T09:00:00+01:00")]
    [InlineData("v2TransactionsBulk", "2025-07-15 09:00:00", null, "Europe/Paris", "2025-07-15T09:00:00+02:00")]
    [InlineData("v11PointsRedeem", "20250411 1100", "yyyyMMdd HHmm", null, "2025-04-11 11:00:00")]
    [InlineData("v11PointsRedeem", "2025-04-11T05:30:00Z", null, "Asia/Kolkata", "2025-04-11 11:00:00")]
    [InlineData("v11PointsRedeem", "Apr 11, 2025 11:00 AM", "MMM d, yyyy hh:mm tt", null, "2025-04-11 11:00:00")]
    public async Task Run_RewritesDatesInTheEndpointsFormat(string endpoint, string input, string? format, string? timeZone, string expected)
    {
        var v2 = endpoint == "v2TransactionsBulk";
        PayloadMapping[] mapping = v2
            ? [.. V2Mapping().Where(m => m.Field != "billingDate"), Map("billingDate", "date")]
            : [Map("points_redeemed", "qty"), Map("customer.mobile", "mobile"), Map("redemption_time", "date")];
        var settings = new { endpoint, timeZone, dateInputFormats = format is null ? Of() : Of(format), mapping };

        var result = await Build(settings, Bills, Bill("B1", "s1", date: input)).RunAsync();

        result.AssertSucceeded();
        Assert.Empty(result.Rejected());
        Assert.Equal(expected, (string?)result.Payload(0)[v2 ? "billingDate" : "redemption_time"]);
    }

    // ---- Required fields ----

    [Fact]
    public async Task Run_RejectsTheItem_WhenARequiredFieldIsEmpty()
    {
        var result = await Build(V2(groupBy: []), Bills, Bill("", "s1"), Bill("B2", "s2")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B2"], result.Keys());
        var (_, code, message) = Assert.Single(result.Rejected());
        Assert.Equal(("PAYLOAD_REQUIRED", "Field 'billNumber' is required, but column 'bill' is empty."), (code, message));
    }

    [Fact]
    public async Task Run_RequiresTheCustomerIdentifier_ForRegularBillsOnly()
    {
        var mapping = V2Mapping().Where(m => m.Field != "type").Append(Map("type", "type")).ToArray();
        string[] columns = [.. Bills, "type"];

        var result = await Build(V2(mapping: mapping), columns,
            [.. Bill("B1", "s1", mobile: ""), "REGULAR"],
            [.. Bill("B2", "s2", mobile: ""), "NOT_INTERESTED"],
            [.. Bill("B3", "s3", mobile: ""), "RETURN"]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B2"], result.Keys());
        Assert.Null(result.Payload(0)["identifierValue"]);
        Assert.Equal(
            [
                (2L, "PAYLOAD_REQUIRED", "'identifierValue' is required when 'type' is REGULAR or RETURN, but column 'mobile' is empty."),
                (4L, "PAYLOAD_REQUIRED", "'identifierValue' is required when 'type' is REGULAR or RETURN, but column 'mobile' is empty."),
            ],
            result.Rejected());
    }

    [Fact]
    public async Task Run_RequiresOneCustomerIdentifier_ForV11Customers()
    {
        var settings = new { endpoint = "v11CustomerAdd", mapping = new[] { Map("mobile", "mobile"), Map("email", "email"), Map("firstname", "name") } };

        var result = await Build(settings, ["mobile", "email", "name"], ["", "", "Tom"], ["", "tom@example.com", "Tom"]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal([Json("""{"email":"tom@example.com","firstname":"Tom"}""")], result.Payloads());
        Assert.Equal(
            "One of 'mobile', 'email', 'external_id' is required, but column 'mobile' is empty; column 'email' is empty; 'external_id' is not mapped.",
            Assert.Single(result.Rejected()).Message);
    }

    [Fact]
    public async Task Run_RejectsALineWithoutItsRequiredItemCode_ButNotARowWithNoLineAtAll()
    {
        var result = await Build(V2(), Bills, Bill("B1", "", qty: "2"), Bill("B2", "s1"), Bill("B2", "", qty: "")).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["B2"], result.Keys());
        Assert.Equal(1, LineCount(result.Payload(0)));
        var (_, code, message) = Assert.Single(result.Rejected());
        Assert.Equal(("PAYLOAD_REQUIRED", "Field 'lineItemsV2[].itemCode' is required in every element of 'lineItemsV2[]', but column 'sku' is empty."), (code, message));
    }

    [Fact]
    public async Task Run_LeavesOutFieldsWhoseValueIsEmpty_ButWritesAnEmptyConstant()
    {
        var mapping = V2Mapping(Map("note", "note"), Map("currencyCode", constant: ""), Map("extendedFields.cashier", "note"), Map("grossAmount", "note"));
        string[] columns = [.. Bills, "note"];

        var result = await Build(V2(mapping: mapping), columns, [.. Bill("B1", "s1"), ""]).RunAsync();

        result.AssertSucceeded();
        var payload = result.Payload(0).AsObject();
        Assert.False(payload.ContainsKey("note"));
        Assert.False(payload.ContainsKey("grossAmount"));
        Assert.False(payload.ContainsKey("extendedFields"));
        Assert.Equal("", (string?)payload["currencyCode"]);
    }

    // ---- Settings checked when the block starts ----

    [Fact]
    public async Task Run_Fails_WhenAMappedColumnIsNotInTheInput()
    {
        var result = await Build(V2(mapping: V2Mapping(Map("note", "remarks"))), Bills, Bill("B1", "s1")).RunAsync();

        Assert.False(result.Run.IsSuccess);
        Assert.Contains("'note' takes column 'remarks', which the input does not have (reading input.csv)", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Fails_WhenAFormulaReadsAColumnTheInputLacks()
    {
        var result = await Build(V2(mapping: V2Mapping(Map("note", formula: "upper([remarks])"))), Bills, Bill("B1", "s1")).RunAsync();

        Assert.False(result.Run.IsSuccess);
        Assert.Contains("the formula of 'note' (upper([remarks])) reads 'remarks'", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Fails_WhenAGroupByColumnIsNotInTheInput()
    {
        var result = await Build(V2(groupBy: Of("bill_no")), Bills, Bill("B1", "s1")).RunAsync();

        Assert.False(result.Run.IsSuccess);
        Assert.Contains("Setting 'groupBy': the key column 'bill_no' is not in the input", result.Run.Error, StringComparison.Ordinal);
    }
}
