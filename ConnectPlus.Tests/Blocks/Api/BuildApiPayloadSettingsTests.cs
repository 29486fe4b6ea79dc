using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;
using static ConnectPlus.Tests.Blocks.Api.PayloadTestData;

namespace ConnectPlus.Tests.Blocks.Api;

public sealed class BuildApiPayloadSettingsTests
{
    private static readonly PayloadMapping[] Complete = V2BillHead();

    private static List<ValidationIssue> Validate(object settings)
    {
        var dataflow = BlockHarness.For("build-api-payload", settings).WithRecords("records", ["a"], ["1"]).BuildDataflow();
        return [.. new DataflowValidator(BlockHarness.Catalog).Validate(dataflow).Where(i => i.NodeId == "block")];
    }

    private static ValidationIssue Single(object settings, string setting)
    {
        var issue = Assert.Single(Validate(settings));
        Assert.Equal(setting, issue.Setting);
        return issue;
    }

    private static string V2Issue(params PayloadMapping[] extra) =>
        Single(new { mapping = (PayloadMapping[])[.. Complete, .. extra] }, "mapping").Message;

    [Fact]
    public void Validate_AcceptsACompleteMapping_ForEveryEndpointItSuits()
    {
        Assert.Empty(Validate(new { mapping = Complete }));
        Assert.Empty(Validate(new { endpoint = "v2Customers", mapping = new[] { Map("profiles[0].source", constant: "INSTORE"), Map("profiles[0].identifiers.mobile", "a") } }));
        Assert.Empty(Validate(new { endpoint = "v11PointsRedeem", mapping = new[] { Map("points_redeemed", "a"), Map("customer.email", "a") } }));
    }

    [Fact]
    public void Validate_RefusesAFieldPathTheTemplateDoesNotHave_ListingItsFields()
    {
        var message = V2Issue(Map("lineItems[].itemCode", "sku"));

        Assert.StartsWith("Mapping 7 ('lineItems[].itemCode'): 'lineItems[].itemCode' is not a field of the v2 transactions (bulk) item. Fields: identifierType, identifierValue,", message, StringComparison.Ordinal);
        Assert.Contains("lineItemsV2[].itemCode", message, StringComparison.Ordinal);
        Assert.Contains("extendedFields.<name>", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusesAnObjectOrAListAsAField()
    {
        Assert.Equal(
            "Mapping 7 ('paymentModes[]'): 'paymentModes[]' is a list, not a field: map the fields inside it (paymentModes[].mode, paymentModes[].value).",
            V2Issue(Map("paymentModes[]", "mode")));
    }

    [Fact]
    public void Validate_AcceptsOnlyTheIdentifierTypesAsIdentifierNames()
    {
        var issue = Single(new { endpoint = "v2Customers", mapping = new[] { Map("profiles[0].source", constant: "INSTORE"), Map("profiles[0].identifiers.Mobile", "a"), Map("profiles[0].identifiers.email", "b") } }, "mapping");

        Assert.Equal(
            $"Mapping 2 ('profiles[0].identifiers.Mobile'): 'Mobile' is not one of the names 'profiles[0].identifiers' accepts: {string.Join(", ", PayloadTemplates.IdentifierTypes)} (names are case-sensitive).",
            issue.Message);
    }

    [Fact]
    public void Validate_RefusesAMapEntryWithoutAName()
    {
        Assert.Equal(
            "Mapping 7 ('extendedFields.'): 'extendedFields.' names no entry of 'extendedFields': write it as 'extendedFields.name'.",
            V2Issue(Map("extendedFields.", "a")));
    }

    [Fact]
    public void Validate_RequiresExactlyOneOfSourceFormulaAndConstant()
    {
        Assert.Equal("Mapping 7 ('note'): give it a source column, a formula or a constant.", V2Issue(Map("note")));
        Assert.Equal("Mapping 7 ('note'): give only one of source, formula or constant (it has source and constant).", V2Issue(Map("note", "a", constant: "x")));
        Assert.Equal("Mapping 7 has no field. Give the path of a field of the v2 transactions (bulk) item, e.g. identifierType.", V2Issue(Map("", "a")));
    }

    [Fact]
    public void Validate_RefusesAFieldMappedTwice()
    {
        Assert.Equal("Mapping 7: 'billNumber' is already mapped by mapping 4. Map each field once.", V2Issue(Map("billNumber", "other")));
    }

    [Fact]
    public void Validate_ReportsAFormulaThatDoesNotParse()
    {
        Assert.StartsWith("Mapping 7 ('note'): The formula 'concat([a], ' is not valid:", V2Issue(Map("note", formula: "concat([a], ")), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ConvertsConstants_RefusingOnesTheApiWouldRefuse()
    {
        Assert.StartsWith("Mapping 7 ('source'): Field 'source' must be one of INSTORE,", V2Issue(Map("source", constant: "Instore")), StringComparison.Ordinal);
        Assert.EndsWith("got 'Instore' in the constant (values are case-sensitive: did you mean 'INSTORE'?).", V2Issue(Map("source", constant: "Instore")), StringComparison.Ordinal);
        Assert.StartsWith("Mapping 7 ('grossAmount'): Field 'grossAmount' must be a number; got '1,000' in the constant", V2Issue(Map("grossAmount", constant: "1,000")), StringComparison.Ordinal);
        var required = Single(new { mapping = (PayloadMapping[])[.. Complete.Where(m => m.Field != "billNumber"), Map("billNumber", constant: " ")] }, "mapping");
        Assert.Equal("Mapping 6 ('billNumber'): the field is required; give a constant that is not empty.", required.Message);
    }

    [Fact]
    public void Validate_RequiresTheTemplatesRequiredFields()
    {
        var issues = Validate(new { mapping = Complete.Where(m => m.Field is not ("billNumber" or "billAmount")).ToArray() });

        Assert.Equal(
            [
                "'billNumber' is required by the v2 transactions (bulk) item: map it to a column, a formula or a constant.",
                "'billAmount' is required by the v2 transactions (bulk) item: map it to a column, a formula or a constant.",
            ],
            issues.Select(i => i.Message));
    }

    [Fact]
    public void Validate_RequiresARequiredLineField_OnlyWhenTheLineItemsAreMapped()
    {
        Assert.Equal(
            "'lineItemsV2[].itemCode' is required in every element of 'lineItemsV2[]': map it, or map none of 'lineItemsV2[]'.",
            V2Issue(Map("lineItemsV2[].qty", "qty")));
    }

    [Fact]
    public void Validate_RequiresTheIdentifier_WhenTheTypeIsTheConstantRegular()
    {
        var issue = Single(new { mapping = Complete.Where(m => m.Field != "identifierValue").ToArray() }, "mapping");

        Assert.Equal("'identifierValue' is required when 'type' is REGULAR or RETURN, and 'type' is the constant 'REGULAR': map it.", issue.Message);
        Assert.Empty(Validate(new { mapping = Complete.Where(m => m.Field is not ("identifierValue" or "identifierType" or "type")).Append(Map("type", constant: "NOT_INTERESTED")).ToArray() }));
    }

    [Fact]
    public void Validate_RequiresOneOfTheCustomerIdentifiers_ForV11Customers()
    {
        var issue = Single(new { endpoint = "v11CustomerAdd", mapping = new[] { Map("firstname", "a") } }, "mapping");

        Assert.Equal("One of 'mobile', 'email', 'external_id' is required by the v1.1 customer add item: map at least one.", issue.Message);
    }

    [Fact]
    public void Validate_AsksForAMapping_WhenThereIsNone()
    {
        Assert.Equal(
            "Map at least one field of the v2 transactions (bulk) item (Suggest mapping proposes one from the input's headers).",
            Single(new { }, "mapping").Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public void Validate_KeepsRecordsPerPayloadBetween1And1000(int records)
    {
        var issue = Single(new { endpoint = "custom", customTemplate = new { id = "text" }, recordsPerPayload = records, mapping = new[] { Map("id", "a") } }, "recordsPerPayload");

        Assert.Equal("Records per payload must be between 1 and 1000.", issue.Message);
    }

    [Fact]
    public void Validate_RefusesRecordsPerPayload_ForTheCapillaryEndpointsAndWithGroupBy()
    {
        var endpoint = Single(new { recordsPerPayload = 100, mapping = Complete }, "recordsPerPayload");
        var grouped = Single(new { endpoint = "custom", customTemplate = new { id = "text" }, groupBy = Of("id"), recordsPerPayload = 10, mapping = new[] { Map("id", "a") } }, "recordsPerPayload");

        Assert.StartsWith("Records per payload applies to custom templates only. For v2TransactionsBulk each bill or customer is one item and the API sink packs items into requests", endpoint.Message, StringComparison.Ordinal);
        Assert.Equal("Records per payload packs consecutive rows into one item when there are no group-by columns; with group-by columns each key is one item. Set it to 1 or remove the group-by columns.", grouped.Message);
    }

    [Fact]
    public void Validate_RefusesEmptyAndRepeatedGroupByColumns()
    {
        var issues = Validate(new { groupBy = Of("bill", " ", "BILL"), mapping = Complete });

        Assert.Equal(
            [
                ("groupBy", "A group-by column is empty. Give each key column's name, or remove the empty entry."),
                ("groupBy", "The group-by column 'bill' is listed twice. List each key column once."),
            ],
            issues.Select(i => (i.Setting, i.Message)));
    }

    [Fact]
    public void Validate_RefusesDateFormatsAndTimeZonesThatDoNotExist()
    {
        var issues = Validate(new { dateInputFormats = Of("dd/MM/yyyy", "%"), timeZone = "India/Mumbai", mapping = Complete });

        Assert.Equal(
            [
                ("dateInputFormats", "'%' is not a .NET date format. Write it like dd/MM/yyyy HH:mm (dd day, MM month, yyyy year, HH hours, mm minutes, ss seconds)."),
                ("timeZone", "'India/Mumbai' is not a time zone this machine knows. Give an IANA name such as Asia/Kolkata or Europe/Paris, or leave it empty."),
            ],
            issues.Select(i => (i.Setting, i.Message)));
    }

    [Fact]
    public void Validate_RefusesAFieldPathOfACustomTemplate_ThatItDoesNotHave()
    {
        var issue = Single(new { endpoint = "custom", customTemplate = new { id = "text", items = new[] { new { sku = "text" } } }, mapping = new[] { Map("items.sku", "a") } }, "mapping");

        Assert.Equal("Mapping 1 ('items.sku'): 'items.sku' is not a field of the custom template item. Fields: id, items[].sku.", issue.Message);
    }

    [Fact]
    public void Validate_AsksForTheCustomTemplate_WhenTheEndpointIsCustom()
    {
        Assert.StartsWith("Custom template: Give the custom template: a JSON object in the shape of one item", Single(new { endpoint = "custom", mapping = new[] { Map("id", "a") } }, "customTemplate").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id": "txt"}""", "At 'id': 'txt' is not a type. Write text, number, integer, boolean, date, datetime or enum(A|B), optionally with 'required' before it and 'as text' after a number or boolean.")]
    [InlineData("""{"id": 5}""", "At 'id': expected a type such as \"text\" or \"required number\", an object or a list [{…}]; found 5.")]
    [InlineData("""{"id": "text as text"}""", "At 'id': 'as text' applies to number, integer and boolean only (the others are text already).")]
    [InlineData("""{"id": "number(2)"}""", "At 'id': only date, datetime (a format) and enum (the values) take something in parentheses.")]
    [InlineData("""{"id": "enum()"}""", "At 'id': list the allowed values, e.g. enum(NEW|PAID).")]
    [InlineData("""{"items": [{"a": "text"}, {"b": "text"}]}""", "At 'items': a list is written as an array holding one object, the shape of each element: [{\"sku\": \"text\"}].")]
    [InlineData("""{"items": [{"sub": [{"a": "text"}]}]}""", "At 'items[].sub': a list inside a list is not supported; a list's elements are built one per row.")]
    [InlineData("""{"tags": {"*": "number"}}""", "At 'tags.*': a map's values are text; write {\"*\": \"text\"}.")]
    [InlineData("""{"a.b": "text"}""", "At 'a.b': a property name must not be empty nor contain '.' or '['.")]
    [InlineData("""{"o": {}}""", "At 'o': an object must hold at least one field.")]
    public void Validate_ExplainsWhatIsWrongInACustomTemplate(string template, string reason)
    {
        var settings = $$"""{"endpoint": "custom", "customTemplate": {{template}}, "mapping": [{"field": "id", "source": "a"}]}""";

        Assert.Equal($"Custom template: {reason}", Single(settings, "customTemplate").Message);
    }
}
