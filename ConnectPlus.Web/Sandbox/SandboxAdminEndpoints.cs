using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConnectPlus.Web.Sandbox;

/// <summary>
/// Endpoints for tests, benchmarks and the page (no faults, no authentication): fault settings
/// (<c>GET/PUT _settings</c>), a reset (<c>POST _reset</c>) and what the sandbox holds (<c>GET _state…</c>).
/// </summary>
internal static class SandboxAdminEndpoints
{
    private const int MaxTake = 10_000;

    public static IEndpointRouteBuilder MapSandboxAdmin(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(SandboxEndpoints.Prefix);
        group.MapGet("/_settings", (SandboxFaultInjector faults) => Json(faults.Settings));
        group.MapPut("/_settings", PutSettingsAsync);
        group.MapPost("/_reset", (SandboxStore store, SandboxRequestLog log) =>
        {
            store.Clear();
            log.Clear();
            return Results.NoContent();
        });
        group.MapGet("/_state", (SandboxStore store, SandboxRequestLog log) =>
        {
            var totals = store.Totals;
            return Json(new { totals.Customers, totals.Bills, totals.PointsAwarded, totals.PointsRedeemed, totals.Redemptions, requests = log.Total });
        });
        group.MapGet("/_state/bills", (SandboxStore store, string? billNumber, int? skip, int? take) => billNumber is null
            ? Json(store.Use(l => new { count = l.Totals.Bills, bills = l.Bills(Skip(skip), Take(take)) }))
            : Json(store.Use(l => l.BillsNumbered(billNumber) is var bills ? new { count = bills.Count, bills } : null)));
        group.MapGet("/_state/customers", (SandboxStore store, string? identifierType, string? identifierValue, int? skip, int? take) =>
            identifierType is null || identifierValue is null
                ? Json(store.Use(l => new { count = l.Totals.Customers, customers = l.Customers(Skip(skip), Take(take)) }))
                : store.Use(l => l.Find(identifierType, identifierValue)) is { } customer ? Json(customer) : Results.NotFound());
        group.MapGet("/_state/requests", (SandboxRequestLog log, int? take) => Json(new { total = log.Total, requests = log.Latest(Take(take)) }));
        return routes;
    }

    /// <summary>Changes the fault settings named in the body (others keep their value); 400 names what is wrong.</summary>
    private static async Task<IResult> PutSettingsAsync(HttpContext http, SandboxFaultInjector faults)
    {
        JsonObject? patch;
        try
        {
            patch = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted) as JsonObject;
        }
        catch (JsonException ex)
        {
            return Errors($"The body is not valid JSON: {ex.Message}");
        }
        if (patch is null) return Errors("Send a JSON object of settings, e.g. {\"latencyMs\":200}.");
        var current = JsonSerializer.SerializeToNode(faults.Settings, SandboxJson.Web)!.AsObject();
        foreach (var (name, value) in patch)
        {
            var known = current.Select(p => p.Key).FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (known is null) return Errors($"Unknown setting '{name}'. Settings: {string.Join(", ", current.Select(p => p.Key))}.");
            current[known] = value?.DeepClone();
        }
        SandboxFaultSettings? updated;
        try
        {
            updated = current.Deserialize<SandboxFaultSettings>(SandboxJson.Web);
        }
        catch (JsonException ex)
        {
            return Errors($"A setting has the wrong type: {ex.Message}");
        }
        var errors = faults.Update(updated!);
        return errors.Count == 0 ? Json(faults.Settings) : Errors([.. errors]);
    }

    private static int Skip(int? skip) => Math.Max(0, skip ?? 0);

    private static int Take(int? take) => Math.Clamp(take ?? 1000, 0, MaxTake);

    private static IResult Json(object? value) => Results.Json(value, SandboxJson.Web);

    private static IResult Errors(params string[] errors) => Results.Json(new { errors }, SandboxJson.Web, statusCode: 400);
}
