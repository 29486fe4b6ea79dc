using System.Globalization;
using System.Text.Json;

namespace ConnectPlus.Web.Sandbox.Apis;

/// <summary>
/// <c>POST /v1.1/customer/add</c>: <c>root.customer</c> (a list or one object); item code 1000 for a
/// new or updated customer (an existing identifier updates the profile), 1060 for every item of a
/// request over <see cref="SandboxOptions.V11MaxCustomersPerRequest"/>.
/// </summary>
internal static class V11CustomersApi
{
    public const string Api = "v1.1/customer/add";
    private static readonly string[] Types = ["LOYALTY", "NON_LOYALTY"];

    private sealed record Customer(SandboxIdentifiers Ids, string? FirstName, string? LastName, string Type, List<SandboxCode> Errors)
    {
        public string? Key => Ids.Mobile ?? Ids.Email ?? Ids.ExternalId;
    }

    public static SandboxReply Add(SandboxCall call)
    {
        if (V11Reply.Items(call, "customer") is not { } items)
            return SandboxReplies.BadRequest(SandboxApiFamily.V11, "Input is invalid: send {\"root\":{\"customer\":[…]}}.");
        var customers = items.Select(Read).ToList();
        var max = call.Services.Options.V11MaxCustomersPerRequest;
        if (items.Count > max)
        {
            var limit = SandboxCodes.CustomerBatchLimitExceeded.With($"{items.Count} customers sent, at most {max} per request");
            return V11Reply.From("customers", "customer", [.. customers.Select((c, i) => Failed(i, c, limit))]);
        }
        var now = call.Services.Time.GetUtcNow();
        var results = call.Services.Store.Use(ledger => customers.Select((c, i) => Apply(i, c, ledger, call, now)).ToList());
        return V11Reply.From("customers", "customer", results);
    }

    private static Customer Read(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object) return new Customer(new SandboxIdentifiers(), null, null, "LOYALTY", [SandboxCodes.NotAnObject]);
        var errors = new List<SandboxCode>();
        var ids = SandboxRules.V11Identifiers(item);
        if (ids.IsEmpty) errors.Add(SandboxCodes.NoPrimaryIdentifier);
        if (SandboxRules.Identifiers(ids) is { } badId) errors.Add(badId);
        var type = item.Text("type") ?? "LOYALTY";
        if (SandboxRules.Enum("type", type, Types) is { } badType) errors.Add(badType);
        if (item.NonBlank("registered_on") is { } registeredOn && !SandboxJson.TryV11Date(registeredOn, out _))
            errors.Add(SandboxCodes.InvalidDate.With($"registered_on '{registeredOn}' is not YYYY-MM-DD HH:MM:SS"));
        return new Customer(ids, item.NonBlank("firstname"), item.NonBlank("lastname"), type, errors);
    }

    private static V11ItemResult Apply(int index, Customer c, SandboxLedger ledger, SandboxCall call, DateTimeOffset now)
    {
        if (c.Errors.Count > 0) return Failed(index, c, c.Errors[0]);
        var matches = ledger.Matching(c.Ids);
        if (matches.Count > 1) return Failed(index, c, SandboxCodes.IdentifiersOfOtherCustomers.With($"customers {string.Join(", ", matches.Select(m => m.Id))}"));
        if (call.Services.Faults.NextItemFailure()) return Failed(index, c, SandboxCodes.InjectedItemFailure);
        var (customer, code) = matches is [var existing]
            ? (ledger.Update(existing, c.Ids, c.FirstName, c.LastName), SandboxCodes.CustomerUpdated)
            : (ledger.Register(c.Ids, c.FirstName, c.LastName, "INSTORE", c.Type.ToLowerInvariant(), Api, now), SandboxCodes.CustomerAdded);
        var item = new
        {
            user_id = customer.Id,
            mobile = customer.Mobile,
            email = customer.Email,
            external_id = customer.ExternalId,
            firstname = customer.FirstName,
            lastname = customer.LastName,
            registered_on = customer.RegisteredOn.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            type = customer.LoyaltyType.ToUpperInvariant(),
            loyalty_points = customer.Points,
            lifetime_points = customer.LifetimePoints,
            item_status = V11Reply.ItemStatus(code, success: true),
        };
        return new V11ItemResult(item, V11Reply.Outcome(index, c.Key, code, success: true));
    }

    private static V11ItemResult Failed(int index, Customer c, SandboxCode code)
    {
        var item = new
        {
            user_id = (long?)null,
            mobile = c.Ids.Mobile,
            email = c.Ids.Email,
            external_id = c.Ids.ExternalId,
            item_status = V11Reply.ItemStatus(code, success: false),
        };
        return new V11ItemResult(item, V11Reply.Outcome(index, c.Key, code, success: false));
    }
}
