namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// The item shapes of the Capillary endpoints, described once (see the Capillary API reference):
/// field names and order as the API documents them, types, required fields, date formats, line
/// items, payment modes, extended and custom fields. The mapping editor, the settings validation,
/// the mapping suggestion and the JSON writer all read these descriptions.
/// </summary>
public static class PayloadTemplates
{
    /// <summary>v2 date and time: ISO 8601 with the offset when known (<c>2025-04-11T11:00:00+05:30</c>).</summary>
    public const string V2DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ssK";

    /// <summary>v1.1 date and time: <c>2025-04-11 11:00:00</c>.</summary>
    public const string V11DateTimeFormat = "yyyy-MM-dd HH:mm:ss";

    /// <summary>A date alone, for every endpoint: <c>2025-04-11</c>.</summary>
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>Customer sources Capillary documents (case-sensitive).</summary>
    public static IReadOnlyList<string> Sources { get; } =
        ["INSTORE", "ECOMMERCE", "MOBILE_APP", "WEB_ENGAGE", "FACEBOOK", "WECHAT", "MARTJACK", "LINE", "JD", "TMALL", "TAOBAO"];

    /// <summary>Customer identifier types of the v2 APIs (case-sensitive).</summary>
    public static IReadOnlyList<string> IdentifierTypes { get; } = ["mobile", "email", "externalId", "cardnumber", "cardExternalId", "id"];

    /// <summary>The six endpoint templates, in the order of <see cref="PayloadEndpoint"/>.</summary>
    public static IReadOnlyList<PayloadTemplate> All { get; } = Build();

    /// <summary>The template of a known endpoint (not <see cref="PayloadEndpoint.Custom"/>, which is parsed from the settings).</summary>
    public static PayloadTemplate For(PayloadEndpoint endpoint) =>
        All.FirstOrDefault(t => t.Endpoint == endpoint)
        ?? throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, "A custom template comes from the block's settings (CustomPayloadTemplate.Parse).");

    private static List<PayloadTemplate> Build()
    {
        var v2Customer = V2CustomerItem();
        return
        [
            new(PayloadEndpoint.V2TransactionsBulk, "v2 transactions (bulk)", V2TransactionItem())
            {
                Request = "POST /v2/transactions/bulk",
                Envelope = "[item, …]",
                KeyFields = ["billNumber"],
                Rules =
                [
                    new(["identifierType"], "type", ["REGULAR", "RETURN"]),
                    new(["identifierValue"], "type", ["REGULAR", "RETURN"]),
                    new(["returnType"], "type", ["RETURN"]),
                ],
            },
            new(PayloadEndpoint.V2Customers, "v2 customer", v2Customer)
            {
                Request = "POST /v2/customers",
                Envelope = "item (one customer per request)",
                KeyFields = ["profiles[0].identifiers"],
                Rules = [new(["profiles[0].identifiers"])],
            },
            new(PayloadEndpoint.V2CustomersBulk, "v2 customers (bulk)", v2Customer)
            {
                Request = "POST /v2/customers/bulk",
                Envelope = "[item, …]",
                KeyFields = ["profiles[0].identifiers"],
                Rules = [new(["profiles[0].identifiers"])],
            },
            new(PayloadEndpoint.V11TransactionAdd, "v1.1 transaction add", V11TransactionItem())
            {
                Request = "POST /v1.1/transaction/add?format=json",
                Envelope = """{"root":{"transaction":[item, …]}}""",
                KeyFields = ["number"],
                Rules = [new(["customer.mobile", "customer.email", "customer.external_id"], "type", ["regular", "return"])],
            },
            new(PayloadEndpoint.V11CustomerAdd, "v1.1 customer add", V11CustomerItem())
            {
                Request = "POST /v1.1/customer/add?format=json",
                Envelope = """{"root":{"customer":[item, …]}}""",
                KeyFields = ["mobile", "email", "external_id"],
                Rules = [new(["mobile", "email", "external_id"])],
            },
            new(PayloadEndpoint.V11PointsRedeem, "v1.1 points redeem", V11RedeemItem())
            {
                Request = "POST /v1.1/points/redeem?format=json",
                Envelope = """{"root":{"redeem":[item]}} (one redemption per request)""",
                KeyFields = ["customer.mobile", "customer.email", "customer.external_id"],
                Rules = [new(["customer.mobile", "customer.email", "customer.external_id"])],
            },
        ];
    }

    private static PayloadObject V2TransactionItem() => Root(
        new PayloadField("identifierType", PayloadFieldType.Choice) { AllowedValues = IdentifierTypes, Description = "Which identifier identifierValue holds (required for REGULAR and RETURN bills)." },
        new PayloadField("identifierValue", PayloadFieldType.Text) { TypedBy = "identifierType", Description = "The customer's mobile, email, external id… (the customer must exist)." },
        new PayloadField("source", PayloadFieldType.Choice) { AllowedValues = Sources, SuggestedConstant = "INSTORE", Hints = PayloadHints.Source },
        new PayloadField("type", PayloadFieldType.Choice) { Required = true, AllowedValues = ["REGULAR", "RETURN", "NOT_INTERESTED", "NOT_INTERESTED_RETURN"], SuggestedConstant = "REGULAR", Hints = PayloadHints.TransactionType },
        new PayloadField("returnType", PayloadFieldType.Choice) { AllowedValues = ["AMOUNT", "FULL", "LINE_ITEM", "CANCELLED"], Hints = PayloadHints.ReturnType, Description = "Required for RETURN bills." },
        new PayloadField("billNumber", PayloadFieldType.Text) { Required = true, Hints = PayloadHints.BillNumber },
        new PayloadField("billingDate", PayloadFieldType.DateTime) { Required = true, Format = V2DateTimeFormat, Hints = PayloadHints.BillDate },
        new PayloadField("billAmount", PayloadFieldType.Number) { Required = true, WriteAsText = true, Hints = PayloadHints.BillAmount },
        new PayloadField("grossAmount", PayloadFieldType.Number) { WriteAsText = true, Hints = PayloadHints.GrossAmount },
        new PayloadField("discount", PayloadFieldType.Number) { WriteAsText = true, Hints = PayloadHints.Discount },
        new PayloadField("currencyCode", PayloadFieldType.Text) { Hints = PayloadHints.Currency },
        new PayloadField("note", PayloadFieldType.Text) { Hints = PayloadHints.Note },
        new PayloadList("paymentModes", PayloadListKind.Distinct,
        [
            new PayloadField("mode", PayloadFieldType.Text) { Required = true, Hints = PayloadHints.PaymentMode },
            new PayloadField("value", PayloadFieldType.Number) { WriteAsText = true, Hints = PayloadHints.PaymentValue, SuggestSameAs = "billAmount" },
        ]),
        new PayloadMapPart("extendedFields", PayloadMapStyle.Properties) { HintPrefixes = PayloadHints.ExtendedPrefixes },
        new PayloadMapPart("customFields", PayloadMapStyle.Properties) { HintPrefixes = PayloadHints.CustomPrefixes },
        new PayloadList("lineItemsV2", PayloadListKind.PerRow,
        [
            new PayloadField("itemCode", PayloadFieldType.Text) { Required = true, Hints = PayloadHints.ItemCode },
            new PayloadField("description", PayloadFieldType.Text) { Hints = PayloadHints.ItemDescription },
            new PayloadField("qty", PayloadFieldType.Number) { Hints = PayloadHints.Quantity },
            new PayloadField("rate", PayloadFieldType.Number) { Hints = PayloadHints.Rate },
            new PayloadField("value", PayloadFieldType.Number) { Hints = PayloadHints.LineValue },
            new PayloadField("discount", PayloadFieldType.Number) { Hints = PayloadHints.LineDiscount },
            new PayloadField("amount", PayloadFieldType.Number) { Hints = PayloadHints.LineAmount },
            new PayloadMapPart("extendedFields", PayloadMapStyle.Properties),
            new PayloadMapPart("customFields", PayloadMapStyle.Properties),
        ]));

    private static PayloadObject V2CustomerItem() => Root(
        new PayloadObject("loyaltyInfo",
        [
            new PayloadField("loyaltyType", PayloadFieldType.Choice) { AllowedValues = ["loyalty", "non_loyalty"], SuggestedConstant = "loyalty", Hints = PayloadHints.LoyaltyType },
        ]),
        new PayloadObject("profiles",
        [
            new PayloadField("firstName", PayloadFieldType.Text) { Hints = PayloadHints.FirstName },
            new PayloadField("lastName", PayloadFieldType.Text) { Hints = PayloadHints.LastName },
            new PayloadField("source", PayloadFieldType.Choice) { Required = true, AllowedValues = Sources, SuggestedConstant = "INSTORE", Hints = PayloadHints.Source },
            new PayloadMapPart("identifiers", PayloadMapStyle.TypeValueList) { AllowedNames = IdentifierTypes, Description = "identifiers.mobile, identifiers.email, identifiers.externalId…" },
            new PayloadMapPart("fields", PayloadMapStyle.Properties) { HintPrefixes = PayloadHints.CustomPrefixes, Description = "Profile (custom) fields: fields.gender…" },
        ])
        { SingleElementArray = true },
        new PayloadMapPart("extendedFields", PayloadMapStyle.Properties) { HintPrefixes = PayloadHints.ExtendedPrefixes });

    private static PayloadObject V11TransactionItem() => Root(
        new PayloadField("type", PayloadFieldType.Choice) { Required = true, AllowedValues = ["regular", "return", "not_interested", "not_interested_return"], SuggestedConstant = "regular", Hints = PayloadHints.TransactionType },
        new PayloadField("number", PayloadFieldType.Text) { Required = true, Hints = PayloadHints.BillNumber },
        new PayloadField("amount", PayloadFieldType.Number) { Required = true, WriteAsText = true, Hints = PayloadHints.BillAmount },
        new PayloadField("billing_time", PayloadFieldType.DateTime) { Required = true, Format = V11DateTimeFormat, Hints = PayloadHints.BillDate },
        new PayloadField("gross_amount", PayloadFieldType.Number) { WriteAsText = true, Hints = PayloadHints.GrossAmount },
        new PayloadField("discount", PayloadFieldType.Number) { WriteAsText = true, Hints = PayloadHints.Discount },
        new PayloadField("notes", PayloadFieldType.Text) { Hints = PayloadHints.Note },
        new PayloadObject("customer", V11CustomerFields(names: true)),
        new PayloadObject("payment_details",
        [
            new PayloadList("payment", PayloadListKind.Distinct,
            [
                new PayloadField("mode", PayloadFieldType.Text) { Required = true, Hints = PayloadHints.PaymentMode },
                new PayloadField("value", PayloadFieldType.Number) { WriteAsText = true, Hints = PayloadHints.PaymentValue, SuggestSameAs = "amount" },
            ]),
        ]),
        new PayloadMapPart("extended_fields", PayloadMapStyle.NameValueList) { HintPrefixes = PayloadHints.ExtendedPrefixes },
        new PayloadMapPart("custom_fields", PayloadMapStyle.NameValueList) { HintPrefixes = PayloadHints.CustomPrefixes },
        new PayloadObject("line_items",
        [
            new PayloadList("line_item", PayloadListKind.PerRow,
            [
                new PayloadField("serial", PayloadFieldType.WholeNumber) { WriteAsText = true, AutoNumber = true, Description = "The line's position (1, 2, …) when not mapped." },
                new PayloadField("item_code", PayloadFieldType.Text) { Required = true, Hints = PayloadHints.ItemCode },
                new PayloadField("description", PayloadFieldType.Text) { Hints = PayloadHints.ItemDescription },
                new PayloadField("qty", PayloadFieldType.Number) { WriteAsText = true, Hints = PayloadHints.Quantity },
                new PayloadField("rate", PayloadFieldType.Number) { WriteAsText = true, Hints = PayloadHints.Rate },
                new PayloadField("value", PayloadFieldType.Number) { WriteAsText = true, Hints = PayloadHints.LineValue },
                new PayloadField("discount", PayloadFieldType.Number) { WriteAsText = true, Hints = PayloadHints.LineDiscount },
                new PayloadField("amount", PayloadFieldType.Number) { WriteAsText = true, Hints = PayloadHints.LineAmount },
                new PayloadMapPart("extended_fields", PayloadMapStyle.NameValueList),
            ]),
        ]));

    private static PayloadObject V11CustomerItem() => Root(
        [
            .. V11CustomerFields(names: true),
            new PayloadField("registered_on", PayloadFieldType.DateTime) { Format = V11DateTimeFormat, Hints = PayloadHints.RegisteredOn },
            new PayloadField("type", PayloadFieldType.Choice) { AllowedValues = ["LOYALTY", "NON_LOYALTY"], SuggestedConstant = "LOYALTY", Hints = PayloadHints.LoyaltyType },
            new PayloadMapPart("extended_fields", PayloadMapStyle.NameValueList) { HintPrefixes = PayloadHints.ExtendedPrefixes },
            new PayloadMapPart("custom_fields", PayloadMapStyle.NameValueList) { HintPrefixes = PayloadHints.CustomPrefixes },
        ]);

    private static PayloadObject V11RedeemItem() => Root(
        new PayloadField("points_redeemed", PayloadFieldType.WholeNumber) { Required = true, Hints = PayloadHints.Points },
        new PayloadObject("customer", V11CustomerFields(names: false)),
        new PayloadField("transaction_number", PayloadFieldType.Text) { Hints = PayloadHints.BillNumber },
        new PayloadField("validation_code", PayloadFieldType.Text) { Hints = PayloadHints.ValidationCode },
        new PayloadField("redemption_time", PayloadFieldType.DateTime) { Format = V11DateTimeFormat, Hints = PayloadHints.RedemptionTime });

    private static PayloadNode[] V11CustomerFields(bool names) =>
    [
        new PayloadField("mobile", PayloadFieldType.Text) { Hints = PayloadHints.Mobile },
        new PayloadField("email", PayloadFieldType.Text) { Hints = PayloadHints.Email },
        new PayloadField("external_id", PayloadFieldType.Text) { Hints = PayloadHints.ExternalId },
        .. names
            ? new PayloadNode[]
            {
                new PayloadField("firstname", PayloadFieldType.Text) { Hints = PayloadHints.FirstName },
                new PayloadField("lastname", PayloadFieldType.Text) { Hints = PayloadHints.LastName },
            }
            : [],
    ];

    private static PayloadObject Root(params PayloadNode[] children) => new("", children);
}
