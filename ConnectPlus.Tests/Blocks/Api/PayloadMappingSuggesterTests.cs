using System.Text.Json.Nodes;
using ConnectPlus.Bench.Export;
using ConnectPlus.Bench.Transactions;
using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Bench;
using ConnectPlus.Tests.Harness;
using static ConnectPlus.Tests.Blocks.Api.PayloadTestData;

namespace ConnectPlus.Tests.Blocks.Api;

public sealed class PayloadMappingSuggesterTests
{
    private static IReadOnlyList<(string Field, string? Source, string? Constant)> Entries(PayloadSuggestion suggestion) =>
        [.. suggestion.Mapping.Select(m => (m.Field, m.Source, m.Constant))];

    [Fact]
    public void Suggest_MapsTheBenchTransactionHeaders_ToTheV2TransactionItem()
    {
        var suggestion = PayloadMappingSuggester.Suggest(PayloadEndpoint.V2TransactionsBulk, TransactionsGenerator.Columns);

        Assert.Equal(
            [
                ("identifierType", null, "mobile"),
                ("identifierValue", "mobile", null),
                ("source", null, "INSTORE"),
                ("type", null, "REGULAR"),
                ("billNumber", "bill_number", null),
                ("billingDate", "bill_date", null),
                ("billAmount", "bill_amount", null),
                ("grossAmount", "gross_amount", null),
                ("discount", "discount", null),
                ("paymentModes[].mode", "payment_mode", null),
                ("paymentModes[].value", "bill_amount", null),
                ("lineItemsV2[].itemCode", "item_code", null),
                ("lineItemsV2[].description", "item_description", null),
                ("lineItemsV2[].qty", "qty", null),
                ("lineItemsV2[].rate", "rate", null),
                ("lineItemsV2[].value", "value", null),
                ("lineItemsV2[].discount", "item_discount", null),
                ("lineItemsV2[].amount", "item_amount", null),
            ],
            Entries(suggestion));
        Assert.Equal(["bill_number"], suggestion.GroupBy);
        Assert.Equal(["store_code"], suggestion.UnmatchedHeaders);
    }

    [Fact]
    public async Task Suggest_GivesAMappingThatBuildsTheGeneratedBills_AndRejectsTheBadOnes()
    {
        using var temp = new TempFolder();
        var generated = TransactionsGenerator.Generate(
            new TransactionsOptions { Bills = 400, OutputFile = temp["tx.csv"], BadShare = 0.2, LinesPerBill = 3 }, CancellationToken.None);
        var csv = BenchCsv.Read(temp["tx.csv"]);
        var suggestion = PayloadMappingSuggester.Suggest(PayloadEndpoint.V2TransactionsBulk, csv.Header);
        var settings = new { mapping = suggestion.Mapping, groupBy = suggestion.GroupBy };
        var harness = BlockHarness.For("build-api-payload", settings).WithBatchSize(64)
            .WithRecords("records", [.. csv.Header], [.. csv.Rows.Select(r => r.Select(v => (string?)v).ToArray())]);

        var result = await harness.RunAsync();

        Assert.DoesNotContain(new DataflowValidator(BlockHarness.Catalog).Validate(harness.BuildDataflow()), i => i.NodeId == "block");
        result.AssertSucceeded();
        // Bad dates and missing mobiles are refused here; a negative amount is the API's to refuse (code 631).
        var refused = csv.Records().Where(r => r["mobile"].Length == 0 || !DateTime.TryParseExact(r["bill_date"], "yyyy-MM-dd HH:mm:ss", null, System.Globalization.DateTimeStyles.None, out _)).ToList();
        var refusedBills = refused.Select(r => r["bill_number"]).ToHashSet();
        Assert.Equal(generated.BadBills.GetValueOrDefault(BadBillKind.BadDate) + generated.BadBills.GetValueOrDefault(BadBillKind.MissingMobile), refusedBills.Count);
        Assert.Equal(400 - refusedBills.Count, result.Records("payloads").Rows.Count);
        Assert.Equal(refused.Count, result.Rejected().Count);
        Assert.Equal(generated.Rows - refused.Count, result.Records("payloads").Rows.Sum(r => JsonNode.Parse(r[2]!)!.AsArray().Count));
        var first = result.Payload(0);
        Assert.Equal(first["billAmount"]!.ToString(), first["paymentModes"]![0]!["value"]!.ToString());
    }

    [Theory]
    [InlineData("bill_number")]
    [InlineData("BillNo")]
    [InlineData("Bill No.")]
    [InlineData("INVOICE_NUMBER")]
    [InlineData("txn_id")]
    public void Suggest_RecognizesCommonSpellingsOfTheBillNumber(string header)
    {
        var suggestion = PayloadMappingSuggester.Suggest(PayloadEndpoint.V2TransactionsBulk, [header, "amount"]);

        Assert.Contains(("billNumber", header, null), Entries(suggestion));
        Assert.Contains(("billAmount", "amount", null), Entries(suggestion));
    }

    [Theory]
    [InlineData("phone", "mobile")]
    [InlineData("Mobile Number", "mobile")]
    [InlineData("email_id", "email")]
    [InlineData("customer_id", "externalId")]
    [InlineData("card_no", "cardnumber")]
    public void Suggest_MapsTheCustomerColumn_AndSaysWhichIdentifierItIs(string header, string identifierType)
    {
        var entries = Entries(PayloadMappingSuggester.Suggest(PayloadEndpoint.V2TransactionsBulk, ["bill", header]));

        Assert.Contains(("identifierValue", header, null), entries);
        Assert.Contains(("identifierType", null, identifierType), entries);
    }

    [Fact]
    public void Suggest_PrefersTheMobile_WhenSeveralIdentifiersAreThere()
    {
        var entries = Entries(PayloadMappingSuggester.Suggest(PayloadEndpoint.V2TransactionsBulk, ["email", "external_id", "mobile"]));

        Assert.Contains(("identifierValue", "mobile", null), entries);
        Assert.Contains(("identifierType", null, "mobile"), entries);
    }

    [Fact]
    public void Suggest_MapsTheMembersExportHeaders_ToTheV2CustomerItem()
    {
        var suggestion = PayloadMappingSuggester.Suggest(PayloadEndpoint.V2CustomersBulk, MembersTable.Columns);

        Assert.Equal(
            [
                ("loyaltyInfo.loyaltyType", null, "loyalty"),
                ("profiles[0].firstName", "first_name", null),
                ("profiles[0].lastName", "last_name", null),
                ("profiles[0].source", null, "INSTORE"),
                ("profiles[0].identifiers.mobile", "mobile", null),
                ("profiles[0].identifiers.email", "email", null),
                ("profiles[0].identifiers.externalId", "external_id", null),
            ],
            Entries(suggestion));
        Assert.Empty(suggestion.GroupBy);
        Assert.Contains("user_id", suggestion.UnmatchedHeaders);
    }

    [Fact]
    public void Suggest_MapsTheV11CustomerFields()
    {
        var entries = Entries(PayloadMappingSuggester.Suggest(PayloadEndpoint.V11CustomerAdd, ["MobileNo", "EmailAddress", "FName", "LName", "Joining Date"]));

        Assert.Equal(
            [
                ("mobile", "MobileNo", null),
                ("email", "EmailAddress", null),
                ("firstname", "FName", null),
                ("lastname", "LName", null),
                ("registered_on", "Joining Date", null),
                ("type", null, "LOYALTY"),
            ],
            entries);
    }

    [Fact]
    public void Suggest_TurnsPrefixedHeadersIntoExtendedAndCustomFields()
    {
        var v2 = Entries(PayloadMappingSuggester.Suggest(PayloadEndpoint.V2TransactionsBulk, ["bill_no", "ext_cashier_id", "custom_Bank", "item_code"]));
        var v11 = Entries(PayloadMappingSuggester.Suggest(PayloadEndpoint.V11TransactionAdd, ["bill_no", "EXT_cashier_id"]));

        Assert.Contains(("extendedFields.cashier_id", "ext_cashier_id", null), v2);
        Assert.Contains(("customFields.Bank", "custom_Bank", null), v2);
        Assert.Contains(("extended_fields.cashier_id", "EXT_cashier_id", null), v11);
        var fields = v2.Select(e => e.Field).ToList();
        Assert.InRange(fields.IndexOf("extendedFields.cashier_id"), fields.IndexOf("billNumber") + 1, fields.IndexOf("lineItemsV2[].itemCode") - 1);
    }

    [Fact]
    public void Suggest_MapsV11TransactionLines_AndGroupsByTheBillNumber()
    {
        var suggestion = PayloadMappingSuggester.Suggest(PayloadEndpoint.V11TransactionAdd, ["Bill Number", "Amount", "Bill Date", "Mobile", "SKU", "Qty", "Price"]);

        Assert.Equal(
            [
                ("type", null, "regular"),
                ("number", "Bill Number", null),
                ("amount", "Amount", null),
                ("billing_time", "Bill Date", null),
                ("customer.mobile", "Mobile", null),
                ("line_items.line_item[].item_code", "SKU", null),
                ("line_items.line_item[].qty", "Qty", null),
                ("line_items.line_item[].rate", "Price", null),
            ],
            Entries(suggestion));
        Assert.Equal(["Bill Number"], suggestion.GroupBy);
    }

    [Fact]
    public void Suggest_MatchesTheFieldNamesOfACustomTemplate()
    {
        Assert.True(CustomPayloadTemplate.TryParse(
            JsonNode.Parse("""{"orderId": "required text", "items": [{"sku": "text", "unitPrice": "number"}]}""")!.AsObject(), out var template, out _));

        var suggestion = PayloadMappingSuggester.Suggest(template, ["ORDER_ID", "sku", "unit_price", "other"]);

        Assert.Equal([("orderId", "ORDER_ID", null), ("items[].sku", "sku", null), ("items[].unitPrice", "unit_price", null)], Entries(suggestion));
        Assert.Equal(["other"], suggestion.UnmatchedHeaders);
        Assert.Empty(suggestion.GroupBy);
    }

    [Fact]
    public void Suggest_ProposesNoPaymentValueAndNoGroupBy_WhenNoPaymentModeOrLineIsMapped()
    {
        var suggestion = PayloadMappingSuggester.Suggest(PayloadEndpoint.V2TransactionsBulk, ["bill_number", "bill_amount"]);

        Assert.DoesNotContain(suggestion.Mapping, m => m.Field.StartsWith("paymentModes", StringComparison.Ordinal));
        Assert.Empty(suggestion.GroupBy);
    }

    [Fact]
    public void Normalize_KeepsLettersAndDigitsInLowerCase()
    {
        Assert.Equal("billno2", PayloadHints.Normalize(" Bill-No._2 "));
    }
}
