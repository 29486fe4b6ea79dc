using System.Text.Json;

namespace ConnectPlus.Web.Sandbox.Apis;

/// <summary>
/// <c>POST /v2/transactions/bulk</c>: a JSON array of transactions, each validated like Capillary
/// (required fields, case-sensitive enumerations, ISO dates, no negative amounts), then recorded when
/// its customer exists and its bill number is new for that customer.
/// </summary>
internal static class V2TransactionsApi
{
    public const string Api = "v2/transactions/bulk";
    private static readonly string[] Types = ["REGULAR", "RETURN", "NOT_INTERESTED", "NOT_INTERESTED_RETURN"];
    private static readonly string[] ReturnTypes = ["AMOUNT", "FULL", "LINE_ITEM", "CANCELLED"];
    private static readonly string[] IdentifierTypes = ["mobile", "email", "externalId", "id", "cardnumber"];
    private static readonly (string Field, SandboxCode Negative)[] LineItemNumbers =
    [
        ("qty", SandboxCodes.NegativeQuantity), ("rate", SandboxCodes.NegativeLineItemRate), ("value", SandboxCodes.NegativeLineItemValue),
        ("amount", SandboxCodes.NegativeLineItemAmount), ("discount", SandboxCodes.NegativeLineItemDiscount),
    ];

    private sealed record Transaction(string? BillNumber, string? Type, string? IdentifierType, string? IdentifierValue,
        decimal Amount, DateTimeOffset? BillingDate, string? Source, List<SandboxCode> Errors)
    {
        public bool IsLoyalty => Type is "REGULAR" or "RETURN";
        public bool IsReturn => Type is "RETURN" or "NOT_INTERESTED_RETURN";
    }

    public static SandboxReply Bulk(SandboxCall call)
    {
        if (call.Body.ValueKind != JsonValueKind.Array)
            return SandboxReplies.BadRequest(SandboxApiFamily.V2, "The body must be a JSON array of transactions.");
        var items = call.Body.EnumerateArray().ToList();
        if (items.Count == 0) return SandboxReplies.BadRequest(SandboxApiFamily.V2, "Send at least one transaction.");
        var max = call.Services.Options.MaxTransactionsPerRequest;
        if (items.Count > max)
        {
            return V2BulkReply.AllFailed([.. items.Select(i => i.Text("billNumber"))],
                SandboxCodes.BatchLimitExceeded.With($"{items.Count} transactions sent, at most {max} per request"));
        }
        var transactions = items.Select(i => Read(i, call.Services)).ToList();
        var now = call.Services.Time.GetUtcNow();
        var results = call.Services.Store.Use(ledger => transactions.Select(t => Apply(t, ledger, call, now)).ToList());
        return V2BulkReply.From(results);
    }

    private static Transaction Read(JsonElement item, SandboxServices services)
    {
        var errors = new List<SandboxCode>();
        if (item.ValueKind != JsonValueKind.Object)
            return new Transaction(null, null, null, null, 0, null, null, [SandboxCodes.NotAnObject]);
        var type = item.Text("type");
        Add(errors, SandboxRules.Enum("type", type, Types));
        if (type == "RETURN") Add(errors, ReturnType(item.Text("returnType")));
        var source = item.Text("source");
        Add(errors, SandboxRules.Enum("source", source, SandboxRules.Sources));
        var billNumber = item.NonBlank("billNumber");
        if (billNumber is null) errors.Add(SandboxCodes.InvalidBillNumber.With("billNumber is required"));
        var identifierType = item.NonBlank("identifierType");
        var identifierValue = item.NonBlank("identifierValue");
        if (type is not ("NOT_INTERESTED" or "NOT_INTERESTED_RETURN")) Add(errors, Identifier(identifierType, identifierValue));
        Add(errors, Amount(item, out var amount));
        Add(errors, SandboxRules.NonNegative(item, "grossAmount", SandboxCodes.NegativeGrossAmount, out _));
        Add(errors, SandboxRules.NonNegative(item, "discount", SandboxCodes.NegativeDiscount, out _));
        Add(errors, SandboxRules.BillingDate(item.NonBlank("billingDate"), v11: false, services, out var billingDate));
        foreach (var line in item.Child("lineItemsV2").Many())
        {
            foreach (var (field, negative) in LineItemNumbers) Add(errors, SandboxRules.NonNegative(line, field, negative, out _));
        }
        return new Transaction(billNumber, type, identifierType, identifierValue, amount, billingDate, source, errors);
    }

    private static V2ItemResult Apply(Transaction t, SandboxLedger ledger, SandboxCall call, DateTimeOffset now)
    {
        if (t.Errors.Count > 0) return V2ItemResult.Failed(t.BillNumber, t.Errors);
        var customer = t.IdentifierType is not null && t.IdentifierValue is not null ? ledger.Find(t.IdentifierType, t.IdentifierValue) : null;
        if (customer is null && t.IsLoyalty)
            return V2ItemResult.Failed(t.BillNumber, [SandboxCodes.CustomerNotFound.With($"{t.IdentifierType} {t.IdentifierValue}")]);
        if (ledger.IsDuplicate(t.BillNumber!, customer?.Id, t.IsReturn))
            return V2ItemResult.Failed(t.BillNumber, [SandboxCodes.DuplicateBill.With(t.BillNumber!)]);
        if (call.Services.Faults.NextItemFailure()) return V2ItemResult.Failed(t.BillNumber, [SandboxCodes.InjectedItemFailure]);

        var points = SandboxRules.Points(t.Type == "REGULAR", t.Amount, call.Services);
        var bill = ledger.AddBill(t.BillNumber!, customer, t.Type!, t.IsReturn, t.Amount, t.BillingDate, t.Source!, points, Api, call.CallerName, now);
        object[] sideEffects = t.Type == "REGULAR" ? [new { type = "points", awardedPoints = points }] : [];
        var result = new
        {
            id = bill.Id,
            billNumber = bill.BillNumber,
            type = bill.Type,
            source = bill.Source,
            billAmount = bill.Amount,
            customer = customer is null ? null : new { id = customer.Id },
            sideEffects,
        };
        return new V2ItemResult(bill.BillNumber, bill.Id, result, [], [], SandboxCodes.TransactionAdded);
    }

    private static SandboxCode? Amount(JsonElement item, out decimal amount) => item.TryNumber("billAmount", out amount) switch
    {
        SandboxJson.Number.Absent => SandboxCodes.InvalidBillAmount.With("billAmount is required"),
        SandboxJson.Number.Invalid => SandboxCodes.InvalidBillAmount.With($"billAmount '{item.Text("billAmount")}' is not a number"),
        _ when amount < 0 => SandboxCodes.NegativeBillAmount.With($"billAmount {amount}"),
        _ => null,
    };

    private static SandboxCode? ReturnType(string? returnType) =>
        returnType is not null && ReturnTypes.Contains(returnType, StringComparer.Ordinal)
            ? null
            : SandboxCodes.InvalidReturnType.With($"returnType '{returnType}' is not one of {string.Join(", ", ReturnTypes)}");

    private static SandboxCode? Identifier(string? type, string? value)
    {
        if (type is null || value is null) return SandboxCodes.CustomerDetailsNotSent.With("identifierType and identifierValue are required");
        return IdentifierTypes.Contains(type, StringComparer.Ordinal)
            ? null
            : SandboxCodes.CustomerDetailsNotSent.With($"identifierType '{type}' is not one of {string.Join(", ", IdentifierTypes)} (case-sensitive)");
    }

    private static void Add(List<SandboxCode> errors, SandboxCode? error)
    {
        if (error is { } e) errors.Add(e);
    }
}
