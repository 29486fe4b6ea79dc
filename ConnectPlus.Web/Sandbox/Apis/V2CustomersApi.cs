using System.Text.Json;

namespace ConnectPlus.Web.Sandbox.Apis;

/// <summary>
/// <c>POST /v2/customers</c> (one customer) and <c>POST /v2/customers/bulk</c> (a JSON array). A
/// customer whose identifiers are known already is updated, with warning 8050 when it came from
/// another source; identifiers of two different customers in one profile are refused (1016).
/// </summary>
internal static class V2CustomersApi
{
    public const string Api = "v2/customers";
    private static readonly string[] IdentifierTypes = ["mobile", "email", "externalId", "cardnumber"];
    private static readonly string[] LoyaltyTypes = ["loyalty", "non_loyalty"];

    private sealed record Customer(SandboxIdentifiers Ids, string? FirstName, string? LastName, string? Source, string LoyaltyType, List<SandboxCode> Errors)
    {
        public string Key => Ids.Mobile ?? Ids.Email ?? Ids.ExternalId ?? Ids.CardNumber ?? "";
    }

    public static SandboxReply Add(SandboxCall call)
    {
        if (call.Body.ValueKind != JsonValueKind.Object)
            return SandboxReplies.BadRequest(SandboxApiFamily.V2, "The body must be a JSON object (one customer).");
        var now = call.Services.Time.GetUtcNow();
        var customer = Read(call.Body);
        var result = call.Services.Store.Use(ledger => Apply(customer, ledger, call, now));
        var warnings = result.Warnings.Select(SandboxReplies.Error).ToList();
        object body = result.Succeeded
            ? new { createdId = result.EntityId, warnings, sideEffects = Array.Empty<object>() }
            : new { createdId = (long?)null, errors = result.Errors.Select(SandboxReplies.Error).ToList(), warnings };
        return new SandboxReply(result.Succeeded ? 200 : 400, body, [result.Outcome(0)]);
    }

    public static SandboxReply Bulk(SandboxCall call)
    {
        if (call.Body.ValueKind != JsonValueKind.Array)
            return SandboxReplies.BadRequest(SandboxApiFamily.V2, "The body must be a JSON array of customers.");
        var items = call.Body.EnumerateArray().ToList();
        if (items.Count == 0) return SandboxReplies.BadRequest(SandboxApiFamily.V2, "Send at least one customer.");
        var customers = items.Select(Read).ToList();
        var max = call.Services.Options.MaxCustomersPerRequest;
        if (items.Count > max)
            return V2BulkReply.AllFailed([.. customers.Select(c => c.Key)], SandboxCodes.BatchLimitExceeded.With($"{items.Count} customers sent, at most {max} per request"));
        var now = call.Services.Time.GetUtcNow();
        return V2BulkReply.From(call.Services.Store.Use(ledger => customers.Select(c => Apply(c, ledger, call, now)).ToList()));
    }

    private static Customer Read(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object) return new Customer(new SandboxIdentifiers(), null, null, null, "loyalty", [SandboxCodes.NotAnObject]);
        var errors = new List<SandboxCode>();
        // A missing profile reads as default(JsonElement), whose fields all read as absent.
        var profiles = item.Child("profiles").Many();
        var profile = profiles.Count > 0 ? profiles[0] : default;
        var ids = Identifiers(profile, errors);
        if (ids.IsEmpty && errors.Count == 0) errors.Add(SandboxCodes.CustomerDetailsNotSent.With("profiles[0].identifiers needs at least one of mobile, email, externalId, cardnumber"));
        if (SandboxRules.Identifiers(ids) is { } bad) errors.Add(bad);
        var source = profile.Text("source");
        if (SandboxRules.Enum("profiles[0].source", source, SandboxRules.Sources) is { } badSource) errors.Add(badSource);
        var loyaltyType = item.Child("loyaltyInfo")?.Text("loyaltyType") ?? "loyalty";
        if (SandboxRules.Enum("loyaltyInfo.loyaltyType", loyaltyType, LoyaltyTypes) is { } badLoyalty) errors.Add(badLoyalty);
        return new Customer(ids, profile.NonBlank("firstName"), profile.NonBlank("lastName"), source, loyaltyType, errors);
    }

    private static SandboxIdentifiers Identifiers(JsonElement profile, List<SandboxCode> errors)
    {
        var ids = new SandboxIdentifiers();
        foreach (var identifier in profile.Child("identifiers").Many())
        {
            var type = identifier.Text("type");
            var value = identifier.NonBlank("value");
            if (SandboxRules.Enum("identifier type", type, IdentifierTypes) is { } badType)
            {
                errors.Add(badType);
                continue;
            }
            if (value is null)
            {
                errors.Add(type == "externalId" ? SandboxCodes.InvalidExternalId.With("empty") : SandboxCodes.CustomerDetailsNotSent.With($"{type} has no value"));
                continue;
            }
            ids = type switch
            {
                "mobile" => ids with { Mobile = value },
                "email" => ids with { Email = value },
                "externalId" => ids with { ExternalId = value },
                _ => ids with { CardNumber = value },
            };
        }
        return ids;
    }

    private static V2ItemResult Apply(Customer c, SandboxLedger ledger, SandboxCall call, DateTimeOffset now)
    {
        if (c.Errors.Count > 0) return V2ItemResult.Failed(c.Key, c.Errors);
        var matches = ledger.Matching(c.Ids);
        if (matches.Count > 1)
            return V2ItemResult.Failed(c.Key, [SandboxCodes.IdentifiersOfOtherCustomers.With($"customers {string.Join(", ", matches.Select(m => m.Id))}")]);
        if (call.Services.Faults.NextItemFailure()) return V2ItemResult.Failed(c.Key, [SandboxCodes.InjectedItemFailure]);
        if (matches is [var existing])
        {
            var updated = ledger.Update(existing, c.Ids, c.FirstName, c.LastName);
            IReadOnlyList<SandboxCode> warnings = existing.Source == c.Source ? [] : [SandboxCodes.SameCustomerOtherSource];
            return new V2ItemResult(c.Key, updated.Id, Result(updated), [], warnings, SandboxCodes.CustomerUpdated);
        }
        var created = ledger.Register(c.Ids, c.FirstName, c.LastName, c.Source!, c.LoyaltyType, Api, now);
        return new V2ItemResult(c.Key, created.Id, Result(created), [], [], SandboxCodes.CustomerAdded);
    }

    private static object Result(SandboxCustomer customer) => new { createdId = customer.Id, sideEffects = Array.Empty<object>() };
}
