using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ConnectPlus.Engine.Connectors;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>The Capillary APIs the Capillary API block sends to.</summary>
public enum CapillaryEndpoint
{
    /// <summary>POST /v2/transactions/bulk: bills as a JSON array; per-item errors, warnings, entityId and points.</summary>
    V2TransactionsBulk,

    /// <summary>POST /v2/customers: one customer per request.</summary>
    V2Customers,

    /// <summary>POST /v2/customers/bulk: customers as a JSON array.</summary>
    V2CustomersBulk,

    /// <summary>POST /v1.1/transaction/add: bills wrapped in {"root":{"transaction":[…]}}.</summary>
    V11TransactionAdd,

    /// <summary>POST /v1.1/customer/add: customers wrapped in {"root":{"customer":[…]}}.</summary>
    V11CustomerAdd,

    /// <summary>POST /v1.1/points/redeem: one redemption per request, in {"root":{"redeem":[…]}}.</summary>
    V11PointsRedeem,
}

/// <summary>
/// What each Capillary endpoint is: its path, how items make a body (a JSON array, v1.1's root
/// wrapper, or the one item), and how its answer gives each item's result.
/// </summary>
internal sealed class CapillaryTarget : IApiTarget
{
    private readonly Shape _shape;
    private readonly byte[] _wrapper;
    private readonly bool _v2Bulk;
    private readonly Func<JsonElement, int, IReadOnlyList<ItemResult>?> _read;

    private CapillaryTarget(string url, Shape shape, int maxItems, Func<JsonElement, int, IReadOnlyList<ItemResult>?> read, string? wrapper = null)
    {
        Url = url;
        _shape = shape;
        MaxItemsPerRequest = maxItems;
        _read = read;
        _wrapper = wrapper is null ? [] : System.Text.Encoding.UTF8.GetBytes(wrapper);
        // v2 bulk answers come with every batch: read in one pass (the document is kept for anything unusual).
        _v2Bulk = read == V2Bulk;
    }

    private enum Shape { Array, Wrapped, Single }

    public int MaxItemsPerRequest { get; }
    public HttpMethod Method => HttpMethod.Post;
    public string Url { get; }

    /// <summary>Item codes that mean "the server has this one already" (duplicate bill number).</summary>
    public static readonly IReadOnlyList<string> DuplicateCodes = ["604"];

    public static CapillaryTarget For(CapillaryEndpoint endpoint) => endpoint switch
    {
        CapillaryEndpoint.V2TransactionsBulk => new("/v2/transactions/bulk", Shape.Array, 1000, V2Bulk),
        CapillaryEndpoint.V2Customers => new("/v2/customers", Shape.Single, 1, V2Single),
        CapillaryEndpoint.V2CustomersBulk => new("/v2/customers/bulk", Shape.Array, 1000, V2Bulk),
        CapillaryEndpoint.V11TransactionAdd => new("/v1.1/transaction/add?format=json", Shape.Wrapped, 1000, (r, n) => V11List(r, n, "transactions", "transaction"), "transaction"),
        CapillaryEndpoint.V11CustomerAdd => new("/v1.1/customer/add?format=json", Shape.Wrapped, 1000, (r, n) => V11List(r, n, "customers", "customer"), "customer"),
        CapillaryEndpoint.V11PointsRedeem => new("/v1.1/points/redeem?format=json", Shape.Wrapped, 1, V11Redeem, "redeem"),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
    };

    public void WriteBody(ApiBatch batch, IBufferWriter<byte> body)
    {
        ArgumentNullException.ThrowIfNull(batch);
        switch (_shape)
        {
            case Shape.Single:
                body.Write(batch.Items[0].Json);
                return;
            case Shape.Wrapped:
                body.Write("{\"root\":{\""u8);
                body.Write(_wrapper);
                body.Write("\":"u8);
                WriteArray(batch, body);
                body.Write("}}"u8);
                return;
            default:
                WriteArray(batch, body);
                return;
        }
    }

    public IReadOnlyList<ItemResult>? ReadResults(ApiResponse response, ApiBatch batch)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(batch);
        var count = batch.Items.Count;
        IReadOnlyList<ItemResult>? results = null;
        try
        {
            if (_v2Bulk && V2BulkAnswerReader.TryRead(response.Body.Span, count, out var streamed))
            {
                results = streamed;
            }
            else
            {
                using var document = JsonDocument.Parse(response.Body);
                results = _read(document.RootElement, count);
            }
        }
        catch (JsonException)
        {
            // Not JSON: a gateway's page. Judged by its status below.
        }
        if (results is not null || response.Status is < 200 or > 299) return results;
        // A success status whose body we cannot read: the items were probably taken, so they are not sent again.
        var message = $"The server answered {response.Status} but its answer gives no result for the {count} items: {response.Excerpt(200)}";
        return [.. Enumerable.Repeat(ItemResult.Rejected("ANSWER_UNREADABLE", message), count)];
    }

    private static void WriteArray(ApiBatch batch, IBufferWriter<byte> body)
    {
        body.Write("["u8);
        for (var i = 0; i < batch.Items.Count; i++)
        {
            if (i > 0) body.Write(","u8);
            body.Write(batch.Items[i].Json);
        }
        body.Write("]"u8);
    }

    /// <summary>v2 bulk: <c>response[i]</c> with <c>errors</c>, <c>warnings</c>, <c>entityId</c>, <c>result.sideEffects</c>.</summary>
    internal static List<ItemResult>? V2Bulk(JsonElement root, int count)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("response", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() != count)
            return null;
        var results = new List<ItemResult>(count);
        foreach (var item in list.EnumerateArray()) results.Add(V2Item(item, "entityId"));
        return results;
    }

    /// <summary>v2/customers: one object with <c>createdId</c> (null when refused), <c>errors</c>, <c>warnings</c>.</summary>
    private static List<ItemResult>? V2Single(JsonElement root, int count) =>
        count == 1 && root.ValueKind == JsonValueKind.Object && root.TryGetProperty("createdId", out _) ? [V2Item(root, "createdId")] : null;

    private static ItemResult V2Item(JsonElement item, string idProperty)
    {
        if (item.ValueKind != JsonValueKind.Object) return ItemResult.Rejected("ANSWER_UNREADABLE", $"The server's answer for this item is not an object: {item.GetRawText()}");
        var errors = Messages(item, "errors");
        if (errors.Count > 0) return ItemResult.Rejected(errors[0].Code, string.Join("; ", errors.Select(e => e.Message)));
        var warnings = Messages(item, "warnings");
        var entityId = Text(item, idProperty);
        var points = item.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object ? Points(result, "sideEffects", "awardedPoints") : null;
        points ??= Points(item, "sideEffects", "awardedPoints");
        return warnings.Count == 0
            ? ItemResult.Success(entityId: entityId, points: points)
            : ItemResult.Success(warnings[0].Code, "warning: " + string.Join("; ", warnings.Select(w => w.Message)), entityId, points);
    }

    /// <summary>v1.1: <c>response.{list}.{item}</c> (a list, or one object), each with <c>item_status{success,code,message}</c>.</summary>
    private static List<ItemResult>? V11List(JsonElement root, int count, string list, string item)
    {
        if (!TryChild(root, "response", out var response) || !TryChild(response, list, out var holder) || !holder.TryGetProperty(item, out var items)) return null;
        var elements = items.ValueKind switch
        {
            JsonValueKind.Array => [.. items.EnumerateArray()],
            JsonValueKind.Object => [items],
            _ => new List<JsonElement>(),
        };
        return elements.Count == count ? [.. elements.Select(V11Item)] : null;
    }

    /// <summary>v1.1 points/redeem: <c>response.responses.points</c>, one object.</summary>
    private static List<ItemResult>? V11Redeem(JsonElement root, int count) =>
        count == 1 && TryChild(root, "response", out var response) && TryChild(response, "responses", out var responses) && TryChild(responses, "points", out var points)
            ? [V11Item(points)]
            : null;

    private static ItemResult V11Item(JsonElement item)
    {
        if (!TryChild(item, "item_status", out var status)) return ItemResult.Rejected("ANSWER_UNREADABLE", $"The server's answer for this item has no item_status: {item.GetRawText()}");
        var success = status.TryGetProperty("success", out var s) && (s.ValueKind == JsonValueKind.True || (s.ValueKind == JsonValueKind.String && string.Equals(s.GetString(), "true", StringComparison.OrdinalIgnoreCase)));
        var code = Text(status, "code");
        var message = Text(status, "message");
        if (!success) return ItemResult.Rejected(code, message);
        var entityId = Text(item, "id") ?? Text(item, "user_id") ?? Text(item, "redemption_id");
        var points = TryChild(item, "side_effects", out var effects) ? Points(effects, "effect", "awarded_points") : null;
        return ItemResult.Success(code, message, entityId, points);
    }

    /// <summary>The sum of <paramref name="amount"/> over the "points" entries of the array <paramref name="list"/>; null when there are none.</summary>
    private static string? Points(JsonElement holder, string list, string amount)
    {
        if (!holder.TryGetProperty(list, out var effects)) return null;
        var entries = effects.ValueKind switch
        {
            JsonValueKind.Array => effects.EnumerateArray().ToList(),
            JsonValueKind.Object => [effects],
            _ => [],
        };
        decimal? total = null;
        foreach (var effect in entries)
        {
            if (effect.ValueKind != JsonValueKind.Object || !string.Equals(Text(effect, "type"), "points", StringComparison.OrdinalIgnoreCase)) continue;
            if (Amount(effect, amount) is { } value) total = (total ?? 0) + value;
        }
        return total?.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A number (any JSON form, 1e2 too), or a string holding one (as Capillary writes some amounts: "1,200.50");
    /// null otherwise. The one-pass reader of v2 answers reads amounts the same way.
    /// </summary>
    private static decimal? Amount(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDecimal(out var number) ? number : null,
            JsonValueKind.String => decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) ? parsed : null,
            _ => null,
        };
    }

    private static List<(string? Code, string? Message)> Messages(JsonElement item, string name)
    {
        if (!item.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array) return [];
        return [.. list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).Select(e => (Text(e, "code"), Text(e, "message")))];
    }

    private static bool TryChild(JsonElement element, string name, out JsonElement child)
    {
        child = default;
        return element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out child) && child.ValueKind == JsonValueKind.Object;
    }

    /// <summary>A property as text: strings as they are, numbers and booleans as written; null when absent or null.</summary>
    private static string? Text(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        };
    }
}
