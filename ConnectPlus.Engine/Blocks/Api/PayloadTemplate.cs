using System.Text.Json.Serialization;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>The API endpoints the Build API payload block knows, and "custom" for a template of your own.</summary>
public enum PayloadEndpoint
{
    /// <summary><c>POST /v2/transactions/bulk</c>: a bill with lineItemsV2 and paymentModes.</summary>
    V2TransactionsBulk,
    /// <summary><c>POST /v2/customers</c>: one customer with profiles and identifiers.</summary>
    V2Customers,
    /// <summary><c>POST /v2/customers/bulk</c>: the same customer item, many per request.</summary>
    V2CustomersBulk,
    /// <summary><c>POST /v1.1/transaction/add</c>: a bill with line_items.line_item and payment_details.payment.</summary>
    V11TransactionAdd,
    /// <summary><c>POST /v1.1/customer/add</c>: a customer.</summary>
    V11CustomerAdd,
    /// <summary><c>POST /v1.1/points/redeem</c>: a points redemption.</summary>
    V11PointsRedeem,
    /// <summary>A JSON template given in the block's settings.</summary>
    Custom,
}

/// <summary>How a field's value is checked and written.</summary>
public enum PayloadFieldType
{
    /// <summary>Any text, written as a JSON string.</summary>
    Text,
    /// <summary>A decimal number read invariantly ('.' for decimals, no thousands separators).</summary>
    Number,
    /// <summary>A whole number.</summary>
    WholeNumber,
    /// <summary>true/false (also 1/0, yes/no, in any case).</summary>
    Boolean,
    /// <summary>A calendar date, written in the template's date format.</summary>
    Date,
    /// <summary>A date and time, written in the template's date-time format.</summary>
    DateTime,
    /// <summary>One of the allowed values, compared case-sensitively.</summary>
    Choice,
}

/// <summary>How a collection (a JSON array of objects) gets its elements from the rows of an item.</summary>
public enum PayloadListKind
{
    /// <summary>One element per row of the item (line items).</summary>
    PerRow,
    /// <summary>
    /// One element per distinct set of values among the rows of the item, in first-seen order
    /// (payment modes: a mode repeated on every line of a bill gives one element).
    /// </summary>
    Distinct,
}

/// <summary>How a name → value map (extended fields, custom fields, identifiers) is written.</summary>
public enum PayloadMapStyle
{
    /// <summary>One property per entry: <c>{"cashier_id":"1","Bank":"SBI"}</c> (v2).</summary>
    Properties,
    /// <summary><c>{"field":[{"name":"cashier_id","value":"1"}]}</c> (v1.1).</summary>
    NameValueList,
    /// <summary><c>[{"type":"mobile","value":"91…"}]</c> (v2 customer identifiers).</summary>
    TypeValueList,
}

/// <summary>A part of a payload item: a field, an object, a collection or a name → value map.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "part")]
[JsonDerivedType(typeof(PayloadField), "field")]
[JsonDerivedType(typeof(PayloadObject), "object")]
[JsonDerivedType(typeof(PayloadList), "list")]
[JsonDerivedType(typeof(PayloadMapPart), "map")]
public abstract class PayloadNode(string name)
{
    /// <summary>The JSON property name.</summary>
    public string Name { get; } = name;

    /// <summary>The property name escaped once for <see cref="System.Text.Json.Utf8JsonWriter"/> (the payload builder's relaxed escaping), not per item.</summary>
    /// <remarks>Templates are shared by runs on many threads: the encoded name is published whole, in a one-element array.</remarks>
    internal System.Text.Json.JsonEncodedText JsonName => (_jsonName ??= [System.Text.Json.JsonEncodedText.Encode(Name, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)])[0];

    private System.Text.Json.JsonEncodedText[]? _jsonName;

    /// <summary>
    /// The path that mapping entries use: property names joined by '.', <c>[]</c> after a collection
    /// (<c>lineItemsV2[].itemCode</c>), <c>[0]</c> after a one-element array (<c>profiles[0].firstName</c>).
    /// A map's entries are <c>path.name</c> (<c>extendedFields.cashier_id</c>).
    /// </summary>
    public string Path { get; internal set; } = name;

    /// <summary>The list this node is inside (null at item level).</summary>
    [JsonIgnore]
    public PayloadList? InList { get; internal set; }

    /// <summary>Short help for the mapping editor.</summary>
    public string? Description { get; init; }
}

/// <summary>A value in the item: its type, whether it is required, and how it is written.</summary>
public sealed class PayloadField(string name, PayloadFieldType type) : PayloadNode(name)
{
    /// <summary>How the value is checked and converted.</summary>
    public PayloadFieldType Type { get; } = type;

    /// <summary>Every item (or every element of its collection) must have a value.</summary>
    public bool Required { get; init; }

    /// <summary>For <see cref="PayloadFieldType.Choice"/>: the allowed values (case-sensitive).</summary>
    public IReadOnlyList<string> AllowedValues { get; init; } = [];

    /// <summary>Numbers and booleans are written as JSON strings (<c>"billAmount":"6000.0"</c>) instead of JSON numbers.</summary>
    public bool WriteAsText { get; init; }

    /// <summary>For dates: the .NET format the endpoint wants (set from the template's date style).</summary>
    public string? Format { get; init; }

    /// <summary>When not mapped, the element's position in its collection (1, 2, …) is written (v1.1 line item serial).</summary>
    public bool AutoNumber { get; init; }

    /// <summary>Header names (lower case, letters and digits only) that suggest this field.</summary>
    public IReadOnlyList<string> Hints { get; init; } = [];

    /// <summary>A constant the mapping suggestion proposes when no header matches (e.g. type REGULAR).</summary>
    public string? SuggestedConstant { get; init; }

    /// <summary>
    /// The path of the <see cref="PayloadFieldType.Choice"/> field that says what kind of value this is
    /// (identifierValue is typed by identifierType): the suggestion matches headers per allowed value.
    /// </summary>
    public string? TypedBy { get; init; }

    /// <summary>When no header matches, the suggestion reuses the column of this field (payment value ← bill amount).</summary>
    public string? SuggestSameAs { get; init; }

    /// <summary>"a number", "one of A, B" — how the type reads in messages and in the mapping editor.</summary>
    public string TypeDescription => Type switch
    {
        PayloadFieldType.Text => "text",
        PayloadFieldType.Number => "a number",
        PayloadFieldType.WholeNumber => "a whole number",
        PayloadFieldType.Boolean => "true or false",
        PayloadFieldType.Date => $"a date ({Format})",
        PayloadFieldType.DateTime => $"a date and time ({Format})",
        _ => $"one of {string.Join(", ", AllowedValues)}",
    };
}

/// <summary>A JSON object holding other parts (<c>customer</c>, <c>loyaltyInfo</c>); written only when something inside has a value.</summary>
public sealed class PayloadObject(string name, IReadOnlyList<PayloadNode> children) : PayloadNode(name)
{
    /// <summary>The parts inside, in the order they are written.</summary>
    public IReadOnlyList<PayloadNode> Children { get; } = children;

    /// <summary>Written as an array holding this one object (v2 customer <c>profiles</c>); paths say <c>profiles[0]</c>.</summary>
    public bool SingleElementArray { get; init; }
}

/// <summary>A JSON array of objects built from the rows of an item (line items, payment modes).</summary>
public sealed class PayloadList(string name, PayloadListKind kind, IReadOnlyList<PayloadNode> children) : PayloadNode(name)
{
    /// <summary>One element per row, or per distinct set of values.</summary>
    public PayloadListKind Kind { get; } = kind;

    /// <summary>The parts of each element, in the order they are written.</summary>
    public IReadOnlyList<PayloadNode> Children { get; } = children;
}

/// <summary>A name → value map whose names the mapping chooses (<c>extendedFields.cashier_id</c>). Values are text.</summary>
public sealed class PayloadMapPart(string name, PayloadMapStyle style) : PayloadNode(name)
{
    /// <summary>How the entries are written.</summary>
    public PayloadMapStyle Style { get; } = style;

    /// <summary>When not empty, the only names allowed (case-sensitive), e.g. the identifier types.</summary>
    public IReadOnlyList<string> AllowedNames { get; init; } = [];

    /// <summary>Header prefixes (matched ignoring case) that suggest an entry of this map: <c>ext_cashier_id</c> → <c>extendedFields.cashier_id</c>.</summary>
    public IReadOnlyList<string> HintPrefixes { get; init; } = [];
}

/// <summary>
/// A rule over several parts: at least one of <see cref="AnyOf"/> must have a value (for a map: an entry),
/// only when the field <see cref="WhenField"/> has one of <see cref="WhenValues"/> if that is given.
/// </summary>
public sealed record PayloadRule(IReadOnlyList<string> AnyOf, string? WhenField = null, IReadOnlyList<string>? WhenValues = null)
{
    /// <summary>The rule in words, for messages.</summary>
    public string Describe()
    {
        var what = AnyOf.Count == 1 ? $"'{AnyOf[0]}' is required" : $"one of {string.Join(", ", AnyOf.Select(p => $"'{p}'"))} is required";
        return WhenField is null ? what : $"{what} when '{WhenField}' is {string.Join(" or ", WhenValues ?? [])}";
    }
}

/// <summary>
/// The shape of one payload item of an endpoint, described once: the UI's mapping editor, the
/// settings validation, the mapping suggestion and the JSON writer all read it.
/// </summary>
public sealed class PayloadTemplate
{
    private readonly Dictionary<string, PayloadNode> _byPath = new(StringComparer.Ordinal);
    private readonly List<PayloadNode> _nodes = [];

    /// <summary>Builds a template and gives every part its path.</summary>
    public PayloadTemplate(PayloadEndpoint endpoint, string name, PayloadObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        Endpoint = endpoint;
        Name = name;
        Item = item;
        foreach (var child in item.Children) Index(child, "", null);
    }

    /// <summary>The endpoint.</summary>
    public PayloadEndpoint Endpoint { get; }

    /// <summary>"v2 transactions (bulk)".</summary>
    public string Name { get; }

    /// <summary>HTTP method and path, e.g. <c>POST /v2/transactions/bulk</c>.</summary>
    public string Request { get; init; } = "";

    /// <summary>How the API sink wraps items into a request body, e.g. <c>[item, …]</c> or <c>{"root":{"transaction":[item, …]}}</c>.</summary>
    public string Envelope { get; init; } = "";

    /// <summary>The endpoint takes one item per request (v2 customers, points redeem); the others take batches.</summary>
    public bool OneItemPerRequest { get; init; }

    /// <summary>The item: the root object, whose parts are written in order.</summary>
    public PayloadObject Item { get; }

    /// <summary>Rules over several parts (identifiers required for regular bills…).</summary>
    public IReadOnlyList<PayloadRule> Rules { get; init; } = [];

    /// <summary>Paths whose first value names an item (payload_key) when the block does not group rows.</summary>
    public IReadOnlyList<string> KeyFields { get; init; } = [];

    /// <summary>Every part (fields, objects, lists, maps), in writing order.</summary>
    [JsonIgnore]
    public IReadOnlyList<PayloadNode> Nodes => _nodes;

    /// <summary>Every field, in writing order.</summary>
    [JsonIgnore]
    public IReadOnlyList<PayloadField> Fields => [.. _nodes.OfType<PayloadField>()];

    /// <summary>Every name → value map, in writing order.</summary>
    [JsonIgnore]
    public IReadOnlyList<PayloadMapPart> MapParts => [.. _nodes.OfType<PayloadMapPart>()];

    /// <summary>Every collection, in writing order.</summary>
    [JsonIgnore]
    public IReadOnlyList<PayloadList> Lists => [.. _nodes.OfType<PayloadList>()];

    /// <summary>The part at a path (field, object, collection or map), or null.</summary>
    public PayloadNode? Find(string path) => _byPath.GetValueOrDefault(path);

    /// <summary>
    /// Resolves a mapping target: a field path, or a map path followed by '.' and an entry name.
    /// Gives the reason when the path is not one of this template's.
    /// </summary>
    public bool TryResolve(string path, out PayloadField? field, out PayloadMapPart? map, out string? entryName, out string? error)
    {
        field = null;
        map = null;
        entryName = null;
        error = null;
        if (_byPath.GetValueOrDefault(path) is PayloadField found)
        {
            field = found;
            return true;
        }
        var dot = path.LastIndexOf('.');
        while (dot > 0)
        {
            if (_byPath.GetValueOrDefault(path[..dot]) is PayloadMapPart part)
            {
                var name = path[(dot + 1)..];
                if (name.Length == 0 || string.IsNullOrWhiteSpace(name))
                {
                    error = $"'{path}' names no entry of '{part.Path}': write it as '{part.Path}.name'.";
                    return false;
                }
                if (part.AllowedNames.Count > 0 && !part.AllowedNames.Contains(name, StringComparer.Ordinal))
                {
                    error = $"'{name}' is not one of the names '{part.Path}' accepts: {string.Join(", ", part.AllowedNames)} (names are case-sensitive).";
                    return false;
                }
                map = part;
                entryName = name;
                return true;
            }
            dot = path.LastIndexOf('.', dot - 1);
        }
        error = _byPath.GetValueOrDefault(path) is { } other
            ? $"'{path}' is {KindOf(other)}, not a field: map the fields inside it ({string.Join(", ", Inside(other).Take(4))}{(Inside(other).Count() > 4 ? ", …" : "")})."
            : $"'{path}' is not a field of the {Name} item. Fields: {string.Join(", ", _nodes.Where(n => n is PayloadField or PayloadMapPart).Select(Label))}.";
        return false;
    }

    private void Index(PayloadNode node, string prefix, PayloadList? collection)
    {
        node.Path = prefix + node.Name + node switch
        {
            PayloadList => "[]",
            PayloadObject { SingleElementArray: true } => "[0]",
            _ => "",
        };
        node.InList = collection;
        if (!_byPath.TryAdd(node.Path, node))
            throw new ArgumentException($"The template {Name} has two parts at '{node.Path}'.", nameof(node));
        _nodes.Add(node);
        var inner = node switch
        {
            PayloadObject obj => obj.Children,
            PayloadList list => list.Children,
            _ => [],
        };
        if (node is PayloadList && collection is not null)
            throw new ArgumentException($"The template {Name} has a collection '{node.Path}' inside the collection '{collection.Path}'; only one level is supported.", nameof(node));
        foreach (var child in inner) Index(child, node.Path + ".", node as PayloadList ?? collection);
    }

    private IEnumerable<string> Inside(PayloadNode node) =>
        _nodes.Where(n => n is PayloadField or PayloadMapPart && n.Path.StartsWith(node.Path + ".", StringComparison.Ordinal)).Select(Label);

    private static string Label(PayloadNode node) => node is PayloadMapPart ? node.Path + ".<name>" : node.Path;

    private static string KindOf(PayloadNode node) => node switch
    {
        PayloadList => "a list",
        PayloadObject => "an object",
        _ => "a map",
    };
}
