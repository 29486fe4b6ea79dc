using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Reads a custom item template: a JSON object in the shape of the item, whose values say what goes there.
/// <code>
/// {
///   "orderId": "required text",
///   "total": "number as text",
///   "placedAt": "datetime(yyyy-MM-dd HH:mm:ss)",
///   "status": "enum(NEW|PAID)",
///   "customer": { "email": "text" },
///   "items": [ { "sku": "required text", "qty": "integer" } ],
///   "attributes": { "*": "text" }
/// }
/// </code>
/// A value is a type — <c>text</c>, <c>number</c>, <c>integer</c>, <c>boolean</c>, <c>date</c>,
/// <c>datetime</c> (optionally with the output format in parentheses; ISO 8601 by default) or
/// <c>enum(A|B|C)</c> (case-sensitive) — with <c>required</c> before it and, for numbers and
/// booleans, <c>as text</c> after it to write them as JSON strings. An object nests; an array holding
/// one object is a list with one element per row of the item (<c>items[].sku</c>); an object whose
/// only key is <c>*</c> is a map whose entry names the mapping chooses (<c>attributes.color</c>).
/// </summary>
public static partial class CustomPayloadTemplate
{
    /// <summary>The default output format of <c>datetime</c> fields.</summary>
    public const string DefaultDateTimeFormat = PayloadTemplates.V2DateTimeFormat;

    /// <summary>Reads a custom template, or gives the reason it is not valid.</summary>
    public static bool TryParse(JsonObject? json, [NotNullWhen(true)] out PayloadTemplate? template, [NotNullWhen(false)] out string? error)
    {
        template = null;
        if (json is null || json.Count == 0)
        {
            error = "Give the custom template: a JSON object in the shape of one item, e.g. {\"orderId\": \"required text\", \"items\": [{\"sku\": \"text\", \"qty\": \"number\"}]}.";
            return false;
        }
        try
        {
            var item = new PayloadObject("", Children(json, "", insideList: false));
            template = new PayloadTemplate(PayloadEndpoint.Custom, "custom template", item) { Envelope = "item" };
            error = null;
            return true;
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private static List<PayloadNode> Children(JsonObject json, string path, bool insideList)
    {
        var children = new List<PayloadNode>();
        foreach (var (name, value) in json)
        {
            var here = path + name;
            if (string.IsNullOrWhiteSpace(name) || name.Contains('.', StringComparison.Ordinal) || name.Contains('[', StringComparison.Ordinal))
                throw new FormatException($"At '{here}': a property name must not be empty nor contain '.' or '['.");
            children.Add(value switch
            {
                JsonValue leaf when leaf.GetValueKind() == JsonValueKind.String => Field(name, leaf.GetValue<string>(), here),
                JsonObject map when map.Count == 1 && map.ContainsKey("*") => Map(name, map["*"], here),
                JsonObject inner => new PayloadObject(name, Children(inner, here + ".", insideList)),
                JsonArray list => List(name, list, here, insideList),
                _ => throw new FormatException($"At '{here}': expected a type such as \"text\" or \"required number\", an object or a list [{{…}}]; found {Describe(value)}."),
            });
        }
        if (children.Count == 0)
            throw new FormatException($"At '{path.TrimEnd('.')}': an object must hold at least one field.");
        return children;
    }

    private static PayloadList List(string name, JsonArray list, string path, bool insideList)
    {
        if (insideList)
            throw new FormatException($"At '{path}': a list inside a list is not supported; a list's elements are built one per row.");
        if (list.Count != 1 || list[0] is not JsonObject element)
            throw new FormatException($"At '{path}': a list is written as an array holding one object, the shape of each element: [{{\"sku\": \"text\"}}].");
        return new PayloadList(name, PayloadListKind.PerRow, Children(element, path + "[].", insideList: true));
    }

    private static PayloadMapPart Map(string name, JsonNode? value, string path)
    {
        var spec = value is JsonValue leaf && leaf.GetValueKind() == JsonValueKind.String ? leaf.GetValue<string>().Trim() : null;
        if (spec is not ("text" or "string"))
            throw new FormatException($"At '{path}.*': a map's values are text; write {{\"*\": \"text\"}}.");
        return new PayloadMapPart(name, PayloadMapStyle.Properties);
    }

    private static PayloadField Field(string name, string spec, string path)
    {
        var match = FieldSpec().Match(spec);
        if (!match.Success)
            throw new FormatException($"At '{path}': '{spec}' is not a type. Write text, number, integer, boolean, date, datetime or enum(A|B), optionally with 'required' before it and 'as text' after a number or boolean.");
        var required = match.Groups["required"].Success;
        var asText = match.Groups["astext"].Success;
        var argument = match.Groups["argument"].Success ? match.Groups["argument"].Value.Trim() : null;
        var typeName = match.Groups["type"].Value.ToUpperInvariant();
        var type = typeName switch
        {
            "TEXT" or "STRING" => PayloadFieldType.Text,
            "NUMBER" => PayloadFieldType.Number,
            "INTEGER" => PayloadFieldType.WholeNumber,
            "BOOLEAN" => PayloadFieldType.Boolean,
            "DATE" => PayloadFieldType.Date,
            "DATETIME" => PayloadFieldType.DateTime,
            _ => PayloadFieldType.Choice,
        };
        if (asText && type is not (PayloadFieldType.Number or PayloadFieldType.WholeNumber or PayloadFieldType.Boolean))
            throw new FormatException($"At '{path}': 'as text' applies to number, integer and boolean only (the others are text already).");
        if (argument is not null && type is not (PayloadFieldType.Date or PayloadFieldType.DateTime or PayloadFieldType.Choice))
            throw new FormatException($"At '{path}': only date, datetime (a format) and enum (the values) take something in parentheses.");
        var values = type == PayloadFieldType.Choice ? Values(argument, path) : [];
        var format = type switch
        {
            PayloadFieldType.Date => argument ?? PayloadTemplates.DateFormat,
            PayloadFieldType.DateTime => argument ?? DefaultDateTimeFormat,
            _ => null,
        };
        if (format is not null && !PayloadDates.IsValidFormat(format))
            throw new FormatException($"At '{path}': '{format}' is not a .NET date format (e.g. yyyy-MM-dd HH:mm:ss).");
        return new PayloadField(name, type)
        {
            Required = required,
            WriteAsText = asText,
            AllowedValues = values,
            Format = format,
            Hints = [PayloadHints.Normalize(name)],
        };
    }

    private static string[] Values(string? argument, string path)
    {
        var values = (argument ?? "").Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return values.Length > 0
            ? values
            : throw new FormatException($"At '{path}': list the allowed values, e.g. enum(NEW|PAID).");
    }

    private static string Describe(JsonNode? value) => value switch
    {
        null => "null",
        JsonArray => "a list",
        JsonObject => "an object",
        _ => value.ToJsonString(),
    };

    [GeneratedRegex(@"^\s*(?<required>required\s+)?(?<type>text|string|number|integer|boolean|date|datetime|enum|choice)\s*(\((?<argument>[^)]*)\))?\s*(?<astext>as\s+text)?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex FieldSpec();
}
