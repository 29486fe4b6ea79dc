using System.Text.Json;

namespace ConnectPlus.Web.Sandbox.Apis;

/// <summary>
/// <c>POST /v1.1/transaction/add</c>: <c>root.transaction</c> (a list or one object). Unknown
/// customers of loyalty bills are registered on the fly, as Capillary does; bills share the
/// duplicate rule and the points rule with v2.
/// </summary>
internal static class V11TransactionsApi
{
    public const string Api = "v1.1/transaction/add";
    private static readonly string[] Types = ["regular", "return", "not_interested", "not_interested_return"];

    private sealed record Transaction(string? Number, string Type, decimal Amount, DateTimeOffset? BillingDate,
        SandboxIdentifiers Ids, string? FirstName, string? LastName, List<SandboxCode> Errors)
    {
        public bool IsLoyalty => Type is "regular" or "return";
        public bool IsReturn => Type is "return" or "not_interested_return";
    }

    public static SandboxReply Add(SandboxCall call)
    {
        if (V11Reply.Items(call, "transaction") is not { } items)
            return SandboxReplies.BadRequest(SandboxApiFamily.V11, "Input is invalid: send {\"root\":{\"transaction\":[…]}}.");
        var transactions = items.Select(i => Read(i, call.Services)).ToList();
        var now = call.Services.Time.GetUtcNow();
        var results = call.Services.Store.Use(ledger => transactions.Select((t, i) => Apply(i, t, ledger, call, now)).ToList());
        return V11Reply.From("transactions", "transaction", results);
    }

    private static Transaction Read(JsonElement item, SandboxServices services)
    {
        if (item.ValueKind != JsonValueKind.Object)
            return new Transaction(null, "regular", 0, null, new SandboxIdentifiers(), null, null, [SandboxCodes.NotAnObject]);
        var errors = new List<SandboxCode>();
        var type = item.Text("type") ?? "regular";
        if (SandboxRules.Enum("type", type, Types) is { } badType) errors.Add(badType);
        var number = item.NonBlank("number");
        if (number is null) errors.Add(SandboxCodes.InvalidBillNumber.With("number is required"));
        switch (item.TryNumber("amount", out var amount))
        {
            case SandboxJson.Number.Absent: errors.Add(SandboxCodes.InvalidBillAmount.With("amount is required")); break;
            case SandboxJson.Number.Invalid: errors.Add(SandboxCodes.InvalidBillAmount.With($"amount '{item.Text("amount")}' is not a number")); break;
            case SandboxJson.Number.Valid when amount < 0: errors.Add(SandboxCodes.NegativeBillAmount.With($"amount {amount}")); break;
        }
        if (SandboxRules.BillingDate(item.NonBlank("billing_time"), v11: true, services, out var billingDate) is { } badDate) errors.Add(badDate);
        var customer = item.Child("customer");
        var ids = SandboxRules.V11Identifiers(customer);
        if (type is "regular" or "return" && ids.IsEmpty)
            errors.Add(SandboxCodes.CustomerDetailsNotSent.With("customer needs a mobile, email or external_id"));
        if (SandboxRules.Identifiers(ids) is { } badId) errors.Add(badId);
        return new Transaction(number, type, amount, billingDate, ids, customer?.NonBlank("firstname"), customer?.NonBlank("lastname"), errors);
    }

    private static V11ItemResult Apply(int index, Transaction t, SandboxLedger ledger, SandboxCall call, DateTimeOffset now)
    {
        if (t.Errors.Count > 0) return Failed(index, t, t.Errors[0]);
        var matches = ledger.Matching(t.Ids);
        if (matches.Count > 1) return Failed(index, t, SandboxCodes.IdentifiersOfOtherCustomers.With($"customers {string.Join(", ", matches.Select(m => m.Id))}"));
        var customer = matches.Count == 1 ? matches[0] : null;
        if (ledger.IsDuplicate(t.Number!, customer?.Id, t.IsReturn)) return Failed(index, t, SandboxCodes.DuplicateBill.With(t.Number!));
        if (call.Services.Faults.NextItemFailure()) return Failed(index, t, SandboxCodes.InjectedItemFailure);
        if (customer is null && t.IsLoyalty)
            customer = ledger.Register(t.Ids, t.FirstName, t.LastName, "INSTORE", "loyalty", Api, now);

        var points = SandboxRules.Points(t.Type == "regular", t.Amount, call.Services);
        var bill = ledger.AddBill(t.Number!, customer, t.Type, t.IsReturn, t.Amount, t.BillingDate, "INSTORE", points, Api, call.CallerName, now);
        var balance = customer is null ? 0 : ledger.Customer(customer.Id).Points;
        var item = new
        {
            id = bill.Id,
            number = bill.BillNumber,
            type = bill.Type,
            amount = bill.Amount,
            customer = new
            {
                user_id = customer?.Id,
                mobile = customer?.Mobile ?? t.Ids.Mobile,
                email = customer?.Email ?? t.Ids.Email,
                external_id = customer?.ExternalId ?? t.Ids.ExternalId,
                firstname = customer?.FirstName,
                lastname = customer?.LastName,
                loyalty_points = balance,
            },
            side_effects = new { effect = t.Type == "regular" ? new[] { new { type = "points", awarded_points = points } } : [] },
            item_status = V11Reply.ItemStatus(SandboxCodes.TransactionAdded, success: true),
        };
        return new V11ItemResult(item, V11Reply.Outcome(index, t.Number, SandboxCodes.TransactionAdded, success: true));
    }

    private static V11ItemResult Failed(int index, Transaction t, SandboxCode code)
    {
        var item = new
        {
            id = (long?)null,
            number = t.Number,
            customer = new { mobile = t.Ids.Mobile, email = t.Ids.Email, external_id = t.Ids.ExternalId },
            item_status = V11Reply.ItemStatus(code, success: false),
        };
        return new V11ItemResult(item, V11Reply.Outcome(index, t.Number, code, success: false));
    }
}
