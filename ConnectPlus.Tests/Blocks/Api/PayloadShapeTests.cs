using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Model;
using static ConnectPlus.Tests.Blocks.Api.PayloadTestData;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>Each endpoint template writes exactly the item shape of the Capillary API reference.</summary>
public sealed class PayloadShapeTests
{
    [Fact]
    public async Task Run_WritesTheV2TransactionOfTheReference_WithLineItemsAndPaymentModes()
    {
        string[] columns = ["bill_no", "bill_date", "mobile", "bill_amount", "gross", "discount", "mode", "sku", "qty", "rate", "value", "item_discount", "item_amount", "cashier", "color"];
        var result = await Build(
            new
            {
                endpoint = "v2TransactionsBulk",
                groupBy = Of("bill_no"),
                dateInputFormats = Of("dd/MM/yyyy HH:mm"),
                timeZone = "Asia/Kolkata",
                mapping = new[]
                {
                    Map("identifierType", constant: "mobile"),
                    Map("identifierValue", "mobile"),
                    Map("source", constant: "INSTORE"),
                    Map("type", constant: "REGULAR"),
                    Map("billNumber", "bill_no"),
                    Map("billingDate", "bill_date"),
                    Map("billAmount", "bill_amount"),
                    Map("grossAmount", "gross"),
                    Map("discount", "discount"),
                    Map("currencyCode", constant: "INR"),
                    Map("note", constant: ""),
                    Map("paymentModes[].mode", "mode"),
                    Map("paymentModes[].value", "bill_amount"),
                    Map("extendedFields.cashier_id", "cashier"),
                    Map("customFields.Bank", constant: "SBI"),
                    Map("lineItemsV2[].itemCode", "sku"),
                    Map("lineItemsV2[].description", constant: ""),
                    Map("lineItemsV2[].qty", "qty"),
                    Map("lineItemsV2[].rate", "rate"),
                    Map("lineItemsV2[].value", "value"),
                    Map("lineItemsV2[].discount", "item_discount"),
                    Map("lineItemsV2[].amount", "item_amount"),
                    Map("lineItemsV2[].extendedFields.color", "color"),
                },
            },
            columns,
            ["b-001", "11/04/2025 11:00", "919999988886", "6000.0", "7000", "1000", "CardPayment", "sku1", "4", "500.0", "2000.0", "0", "2000.0", "7", "red"],
            ["b-001", "11/04/2025 11:00", "919999988886", "6000.0", "7000", "1000", "CardPayment", "sku2", "2", "2500.0", "5000.0", "1000", "4000.0", "7", ""]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(Json("""
            {"identifierType":"mobile","identifierValue":"919999988886","source":"INSTORE",
             "type":"REGULAR","billNumber":"b-001","billingDate":"2025-04-11T11:00:00+05:30",
             "billAmount":"6000.0","grossAmount":"7000","discount":"1000","currencyCode":"INR","note":"",
             "paymentModes":[{"mode":"CardPayment","value":"6000.0"}],
             "extendedFields":{"cashier_id":"7"},"customFields":{"Bank":"SBI"},
             "lineItemsV2":[{"itemCode":"sku1","description":"","qty":4,"rate":500.0,"value":2000.0,
                             "discount":0,"amount":2000.0,"extendedFields":{"color":"red"}},
                            {"itemCode":"sku2","description":"","qty":2,"rate":2500.0,"value":5000.0,
                             "discount":1000,"amount":4000.0}]}
            """), Assert.Single(result.Payloads()));
        Assert.Equal(["b-001"], result.Keys());
    }

    [Fact]
    public async Task Run_WritesTheV11TransactionOfTheReference_WithNameValueFieldsAndSerials()
    {
        string[] columns = ["number", "amount", "date", "mobile", "first", "last", "mode", "paid", "cashier", "sku", "qty", "rate"];
        var result = await Build(
            new
            {
                endpoint = "v11TransactionAdd",
                groupBy = Of("number"),
                mapping = new[]
                {
                    Map("type", constant: "regular"),
                    Map("number", "number"),
                    Map("amount", "amount"),
                    Map("billing_time", "date"),
                    Map("customer.mobile", "mobile"),
                    Map("customer.email", constant: ""),
                    Map("customer.external_id", constant: ""),
                    Map("customer.firstname", "first"),
                    Map("customer.lastname", "last"),
                    Map("payment_details.payment[].mode", "mode"),
                    Map("payment_details.payment[].value", "paid"),
                    Map("extended_fields.cashier_id", "cashier"),
                    Map("custom_fields.Bank", constant: "SBI"),
                    Map("line_items.line_item[].item_code", "sku"),
                    Map("line_items.line_item[].qty", "qty"),
                    Map("line_items.line_item[].rate", "rate"),
                    Map("line_items.line_item[].value", "rate"),
                    Map("line_items.line_item[].amount", "rate"),
                },
            },
            columns,
            ["BILL99", "5000", "2018-04-01", "919999000000", "Tom", "Sawyer", "CASH", "100", "1", "sku1", "1", "500"],
            ["BILL99", "5000", "2018-04-01", "919999000000", "Tom", "Sawyer", "CARD", "4900", "1", "sku2", "1", "4500"]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(Json("""
            {"type":"regular","number":"BILL99","amount":"5000","billing_time":"2018-04-01 00:00:00",
             "customer":{"mobile":"919999000000","email":"","external_id":"","firstname":"Tom","lastname":"Sawyer"},
             "payment_details":{"payment":[{"mode":"CASH","value":"100"},{"mode":"CARD","value":"4900"}]},
             "extended_fields":{"field":[{"name":"cashier_id","value":"1"}]},
             "custom_fields":{"field":[{"name":"Bank","value":"SBI"}]},
             "line_items":{"line_item":[{"serial":"1","item_code":"sku1","qty":"1","rate":"500","value":"500","amount":"500"},
                                        {"serial":"2","item_code":"sku2","qty":"1","rate":"4500","value":"4500","amount":"4500"}]}}
            """), Assert.Single(result.Payloads()));
    }

    [Theory]
    [InlineData("v2Customers")]
    [InlineData("v2CustomersBulk")]
    public async Task Run_WritesTheV2CustomerOfTheReference_WithProfilesAndIdentifiers(string endpoint)
    {
        var result = await Build(
            new
            {
                endpoint,
                mapping = new[]
                {
                    Map("loyaltyInfo.loyaltyType", constant: "loyalty"),
                    Map("profiles[0].firstName", "first_name"),
                    Map("profiles[0].lastName", "last_name"),
                    Map("profiles[0].source", "source"),
                    Map("profiles[0].identifiers.mobile", "mobile"),
                    Map("profiles[0].identifiers.email", "email"),
                    Map("profiles[0].fields.gender", "gender"),
                    Map("extendedFields.city", "city"),
                },
            },
            ["first_name", "last_name", "source", "mobile", "email", "gender", "city"],
            ["Asha", "Rao", "INSTORE", "919800000001", "asha@example.com", "F", "Pune"],
            ["Ravi", "Iyer", "ECOMMERCE", "919800000002", "", "", ""]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(
            [
                Json("""
                    {"loyaltyInfo":{"loyaltyType":"loyalty"},
                     "profiles":[{"firstName":"Asha","lastName":"Rao","source":"INSTORE",
                                  "identifiers":[{"type":"mobile","value":"919800000001"},{"type":"email","value":"asha@example.com"}],
                                  "fields":{"gender":"F"}}],
                     "extendedFields":{"city":"Pune"}}
                    """),
                Json("""
                    {"loyaltyInfo":{"loyaltyType":"loyalty"},
                     "profiles":[{"firstName":"Ravi","lastName":"Iyer","source":"ECOMMERCE",
                                  "identifiers":[{"type":"mobile","value":"919800000002"}]}]}
                    """),
            ],
            result.Payloads());
        Assert.Equal(["919800000001", "919800000002"], result.Keys());
    }

    [Fact]
    public async Task Run_WritesTheV11CustomerOfTheReference()
    {
        var result = await Build(
            new
            {
                endpoint = "v11CustomerAdd",
                dateInputFormats = Of("dd/MM/yyyy"),
                mapping = new[]
                {
                    Map("mobile", "mobile"),
                    Map("email", "email"),
                    Map("external_id", "ext"),
                    Map("firstname", "first"),
                    Map("lastname", "last"),
                    Map("registered_on", "joined"),
                    Map("type", constant: "LOYALTY"),
                    Map("extended_fields.city", "city"),
                    Map("custom_fields.Bank", constant: "SBI"),
                },
            },
            ["mobile", "email", "ext", "first", "last", "joined", "city"],
            ["919999000000", "tom@example.com", "X1", "Tom", "Sawyer", "01/04/2018", "Pune"]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(Json("""
            {"mobile":"919999000000","email":"tom@example.com","external_id":"X1","firstname":"Tom","lastname":"Sawyer",
             "registered_on":"2018-04-01 00:00:00","type":"LOYALTY",
             "extended_fields":{"field":[{"name":"city","value":"Pune"}]},
             "custom_fields":{"field":[{"name":"Bank","value":"SBI"}]}}
            """), Assert.Single(result.Payloads()));
    }

    [Fact]
    public async Task Run_WritesThePointsRedemptionOfTheReference_WithPointsAsAJsonNumber()
    {
        var result = await Build(
            new
            {
                endpoint = "v11PointsRedeem",
                mapping = new[]
                {
                    Map("points_redeemed", "points"),
                    Map("customer.mobile", "mobile"),
                    Map("transaction_number", "bill"),
                    Map("validation_code", "otp"),
                    Map("redemption_time", "at"),
                },
            },
            ["points", "mobile", "bill", "otp", "at"],
            ["10", "919999000000", "BILL99", "4711", "2025-04-11T11:00:00"]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(Json("""
            {"points_redeemed":10,"customer":{"mobile":"919999000000"},"transaction_number":"BILL99",
             "validation_code":"4711","redemption_time":"2025-04-11 11:00:00"}
            """), Assert.Single(result.Payloads()));
    }

    [Fact]
    public async Task Run_WritesACustomTemplate_PackingRecordsPerPayloadRowsIntoItsList()
    {
        var result = await Build(
            new
            {
                endpoint = "custom",
                recordsPerPayload = 2,
                customTemplate = new Dictionary<string, object>
                {
                    ["batch"] = "required text",
                    ["total"] = "number as text",
                    ["sent"] = "boolean",
                    ["at"] = "datetime(dd.MM.yyyy HH:mm)",
                    ["status"] = "enum(NEW|PAID)",
                    ["items"] = new[] { new Dictionary<string, string> { ["sku"] = "required text", ["qty"] = "integer" } },
                    ["tags"] = new Dictionary<string, string> { ["*"] = "text" },
                },
                mapping = new[]
                {
                    Map("batch", formula: "concat('B-', [sku])"),
                    Map("total", "total"),
                    Map("sent", constant: "yes"),
                    Map("at", "at"),
                    Map("status", constant: "NEW"),
                    Map("items[].sku", "sku"),
                    Map("items[].qty", "qty"),
                    Map("tags.channel", constant: "web"),
                },
            },
            ["sku", "qty", "total", "at"],
            ["A", "1", "10.50", "2025-04-11 11:00:00"],
            ["B", "2.0", "99", "2025-04-12 12:00:00"],
            ["C", "3", "1e2", "2025-04-13 13:00:00"]).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(
            [
                Json("""{"batch":"B-A","total":"10.50","sent":true,"at":"11.04.2025 11:00","status":"NEW","items":[{"sku":"A","qty":1},{"sku":"B","qty":2}],"tags":{"channel":"web"}}"""),
                Json("""{"batch":"B-C","total":"100","sent":true,"at":"13.04.2025 13:00","status":"NEW","items":[{"sku":"C","qty":3}],"tags":{"channel":"web"}}"""),
            ],
            result.Payloads());
        Assert.Equal([null, null], result.Keys());
        Assert.Equal([2L, 3L], result.SourcesOf(0).Select(s => s.Line));
    }

    [Fact]
    public void Templates_DescribeEveryEndpoint_WithPathsTheMappingUses()
    {
        var endpoints = PayloadTemplates.All.Select(t => t.Endpoint).ToList();
        var v2 = PayloadTemplates.For(PayloadEndpoint.V2TransactionsBulk);
        var v11 = PayloadTemplates.For(PayloadEndpoint.V11TransactionAdd);

        Assert.Equal(Enum.GetValues<PayloadEndpoint>().Where(e => e != PayloadEndpoint.Custom), endpoints);
        Assert.Contains("lineItemsV2[].itemCode", v2.Fields.Select(f => f.Path));
        Assert.Contains("paymentModes[].mode", v2.Fields.Select(f => f.Path));
        Assert.Equal(PayloadListKind.Distinct, ((PayloadList)v2.Find("paymentModes[]")!).Kind);
        Assert.Contains("line_items.line_item[].item_code", v11.Fields.Select(f => f.Path));
        Assert.Equal(PayloadTemplates.V11DateTimeFormat, ((PayloadField)v11.Find("billing_time")!).Format);
        Assert.Equal(PayloadTemplates.V2DateTimeFormat, ((PayloadField)v2.Find("billingDate")!).Format);
        Assert.Equal(PayloadMapStyle.NameValueList, ((PayloadMapPart)v11.Find("extended_fields")!).Style);
        Assert.Contains("profiles[0].identifiers", PayloadTemplates.For(PayloadEndpoint.V2Customers).MapParts.Select(m => m.Path));
    }

    [Fact]
    public void Templates_SerializeForTheUi_WithTheirParts()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(PayloadTemplates.For(PayloadEndpoint.V2TransactionsBulk), DataflowJson.Options);

        Assert.Contains("\"path\": \"lineItemsV2[].itemCode\"", json, StringComparison.Ordinal);
        Assert.Contains("\"part\": \"list\"", json, StringComparison.Ordinal);
        Assert.Contains("\"request\": \"POST /v2/transactions/bulk\"", json, StringComparison.Ordinal);
    }
}
