using System.Text.Json;

namespace ConnectPlus.Web.Sandbox.Apis;

/// <summary>
/// <c>POST /v1.1/points/redeem</c>: one redemption (<c>root.redeem</c> with one element; the API has no
/// batching, so more is a 400). Redeems when the customer's balance covers the points; the
/// validation code (OTP) is accepted as sent, not checked.
/// </summary>
internal static class V11PointsApi
{
    public static SandboxReply Redeem(SandboxCall call)
    {
        if (V11Reply.Items(call, "redeem") is not { } items)
            return SandboxReplies.BadRequest(SandboxApiFamily.V11, "Input is invalid: send {\"root\":{\"redeem\":[{…}]}}.");
        if (items.Count > 1)
            return SandboxReplies.BadRequest(SandboxApiFamily.V11, $"points/redeem takes one redemption per request, not {items.Count} (no batch support).");
        var item = items[0];
        var ids = SandboxRules.V11Identifiers(item.Child("customer"));
        var transactionNumber = item.NonBlank("transaction_number");
        var error = Check(item, ids, out var points);
        var now = call.Services.Time.GetUtcNow();
        var result = call.Services.Store.Use(ledger => error is { } e ? Failed(ids, transactionNumber, points, e) : Apply(ids, points, transactionNumber, ledger, call, now));
        var (status, message) = result.Outcome.Success ? (200, "Success") : (500, "All requests have failed due to errors");
        var body = new
        {
            response = new
            {
                status = SandboxReplies.V11Status(result.Outcome.Success, status, message),
                responses = new { points = result.Item },
            },
        };
        return new SandboxReply(status, body, [result.Outcome]);
    }

    private static SandboxCode? Check(JsonElement item, SandboxIdentifiers ids, out long points)
    {
        points = 0;
        if (item.ValueKind != JsonValueKind.Object) return SandboxCodes.NotAnObject;
        if (item.TryNumber("points_redeemed", out var value) != SandboxJson.Number.Valid || value <= 0 || value != decimal.Truncate(value) || value > long.MaxValue)
            return SandboxCodes.InvalidPoints.With($"points_redeemed '{item.Text("points_redeemed")}' must be a whole number above 0");
        points = (long)value;
        if (ids.IsEmpty || SandboxRules.Identifiers(ids) is not null) return SandboxCodes.InvalidRedeemIdentifier;
        return null;
    }

    private static V11ItemResult Apply(SandboxIdentifiers ids, long points, string? transactionNumber, SandboxLedger ledger, SandboxCall call, DateTimeOffset now)
    {
        var matches = ledger.Matching(ids);
        if (matches.Count == 0) return Failed(ids, transactionNumber, points, SandboxCodes.RedeemCustomerNotFound);
        if (matches.Count > 1) return Failed(ids, transactionNumber, points, SandboxCodes.IdentifiersOfOtherCustomers);
        var customer = matches[0];
        if (customer.Points < points)
            return Failed(ids, transactionNumber, points, SandboxCodes.NotEnoughPoints.With($"{points} asked, {customer.Points} available"));
        if (call.Services.Faults.NextItemFailure()) return Failed(ids, transactionNumber, points, SandboxCodes.InjectedItemFailure);
        var redemption = ledger.Redeem(customer, points, transactionNumber, now);
        var item = new
        {
            mobile = customer.Mobile,
            email = customer.Email,
            external_id = customer.ExternalId,
            points_redeemed = points,
            transaction_number = transactionNumber,
            redemption_id = redemption.Id,
            balance = ledger.Customer(customer.Id).Points,
            item_status = V11Reply.ItemStatus(SandboxCodes.PointsRedeemed, success: true),
        };
        return new V11ItemResult(item, V11Reply.Outcome(0, transactionNumber ?? redemption.Id, SandboxCodes.PointsRedeemed, success: true));
    }

    private static V11ItemResult Failed(SandboxIdentifiers ids, string? transactionNumber, long points, SandboxCode code)
    {
        var item = new
        {
            mobile = ids.Mobile,
            email = ids.Email,
            external_id = ids.ExternalId,
            points_redeemed = points,
            transaction_number = transactionNumber,
            redemption_id = (string?)null,
            item_status = V11Reply.ItemStatus(code, success: false),
        };
        return new V11ItemResult(item, V11Reply.Outcome(0, transactionNumber, code, success: false));
    }
}
