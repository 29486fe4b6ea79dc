using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ConnectPlus.Web.Sandbox;

/// <summary>
/// Reading Capillary payloads as callers really send them: numbers as JSON numbers or strings,
/// a one-element list as an object (v1.1's XML heritage), dates in the documented formats.
/// </summary>
internal static class SandboxJson
{
    /// <summary>Responses keep the property names exactly as written (camelCase for v2, snake_case for v1.1) and write nulls.</summary>
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = null, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Settings and state endpoints: ordinary web JSON (camelCase, case-insensitive reads).</summary>
    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonElement? Child(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child) && child.ValueKind != JsonValueKind.Null
            ? child
            : null;

    /// <summary>A scalar as text (strings as they are, numbers and booleans as written); null when absent, null or not a scalar.</summary>
    public static string? Text(this JsonElement element, string name) => element.Child(name) is { } child ? Scalar(child) : null;

    /// <summary>Like <see cref="Text"/> but blank counts as absent.</summary>
    public static string? NonBlank(this JsonElement element, string name) =>
        element.Text(name) is { } text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;

    public static string? Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => null,
    };

    /// <summary>Elements of an array, or the element itself when a single object stands for a one-element list.</summary>
    public static IReadOnlyList<JsonElement> Many(this JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.Array } array => [.. array.EnumerateArray()],
        { ValueKind: JsonValueKind.Object } single => [single],
        _ => [],
    };

    public enum Number { Absent, Invalid, Valid }

    /// <summary>Reads a number sent as a JSON number or a numeric string; blank counts as absent.</summary>
    public static Number TryNumber(this JsonElement element, string name, out decimal value)
    {
        value = 0;
        var text = element.Text(name);
        if (string.IsNullOrWhiteSpace(text)) return Number.Absent;
        return decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) ? Number.Valid : Number.Invalid;
    }

    private static readonly string[] V2DateFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mmzzz",
        "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
    ];

    private static readonly string[] V11DateFormats =
    [
        .. V2DateFormats,
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss",
    ];

    /// <summary>v2 dates: <c>YYYY-MM-DD</c>, or with time and an offset (<c>Z</c> or <c>+05:30</c>).</summary>
    public static bool TryV2Date(string text, out DateTimeOffset value) => TryDate(text, V2DateFormats, out value);

    /// <summary>v1.1 dates: the v2 forms plus <c>YYYY-MM-DD HH:MM:SS</c> without an offset (read as UTC).</summary>
    public static bool TryV11Date(string text, out DateTimeOffset value) => TryDate(text, V11DateFormats, out value);

    private static bool TryDate(string text, string[] formats, out DateTimeOffset value)
    {
        // A form without an offset would otherwise take the machine's zone: the sandbox must not depend on it.
        var ok = DateTimeOffset.TryParseExact(text.Trim(), formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out value);
        return ok && value.Year >= 1900;
    }
}
