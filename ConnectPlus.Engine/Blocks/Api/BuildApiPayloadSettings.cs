using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Expressions;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>How rows with the same group-by key are brought together.</summary>
public enum PayloadGroupMode
{
    /// <summary>
    /// Rows with the same key must follow each other (a file sorted by bill): an item is sent as soon
    /// as the key changes. Streams; holds one item's rows at a time.
    /// </summary>
    Consecutive,
    /// <summary>
    /// Rows with the same key may be anywhere in the file: every row of a file is held until the file
    /// ends, then its items are sent in order of first appearance. Needs memory for the whole file.
    /// </summary>
    WholeFile,
}

/// <summary>What a bad value in one row of a multi-row item (a line item, a payment mode) rejects.</summary>
public enum PayloadRowErrors
{
    /// <summary>The whole item, every row with the reason: a bill is sent complete or not at all.</summary>
    RejectItem,
    /// <summary>Only that row; the item is sent without it (its line item or payment mode is missing).</summary>
    RejectRowOnly,
}

/// <summary>Settings of the Build API payload block.</summary>
public sealed class BuildApiPayloadSettings : IValidatableObject
{
    internal const string EndpointSetting = "endpoint";
    internal const string CustomTemplateSetting = "customTemplate";
    internal const string MappingSetting = "mapping";
    internal const string GroupBySetting = "groupBy";
    internal const string RecordsPerPayloadSetting = "recordsPerPayload";
    internal const string DateInputFormatsSetting = "dateInputFormats";
    internal const string TimeZoneSetting = "timeZone";

    /// <summary>
    /// The API the items are for; it fixes the item's shape, field names, types, required fields and
    /// date format: v2TransactionsBulk (a bill with lineItemsV2 and paymentModes), v2Customers and
    /// v2CustomersBulk (a customer with profiles and identifiers), v11TransactionAdd (a bill with
    /// line_items.line_item and payment_details.payment), v11CustomerAdd, v11PointsRedeem, or custom
    /// (the shape given in 'Custom template'). The block emits ITEMS; the API sink wraps them into
    /// request bodies (a JSON array for v2 bulk, {"root":{"transaction":[…]}} for v1.1).
    /// </summary>
    [Setting(Order = 1, Group = "Endpoint")]
    public PayloadEndpoint Endpoint { get; set; } = PayloadEndpoint.V2TransactionsBulk;

    /// <summary>
    /// For the custom endpoint: the shape of one item as JSON, each value saying what goes there —
    /// a type (text, number, integer, boolean, date, datetime, enum(A|B)), with "required" before it
    /// and "as text" after a number to write it as a JSON string; datetime(yyyy-MM-dd HH:mm:ss) gives
    /// the output format (ISO 8601 by default). A list [{…}] gets one element per row of the item;
    /// {"*": "text"} is a map whose names the mapping chooses. Ignored for the other endpoints.
    /// </summary>
    [Setting(Order = 2, Group = "Endpoint", Editor = EditorHint.Json,
        Placeholder = """{"orderId": "required text", "total": "number", "items": [{"sku": "required text", "qty": "integer"}]}""")]
    public JsonObject? CustomTemplate { get; set; }

    /// <summary>
    /// Where each field of the item gets its value. 'field' is the field's path in the item:
    /// billNumber, lineItemsV2[].itemCode, paymentModes[].mode, profiles[0].firstName, customer.mobile,
    /// or a map entry such as extendedFields.cashier_id, customFields.Bank, profiles[0].identifiers.mobile.
    /// Each entry gives exactly one of: 'source' (an input column, matched ignoring case), 'formula'
    /// (see the formula reference) or 'constant' (fixed text). Values are converted to the field's
    /// type: numbers invariantly ('.' for decimals, no thousands separators), dates from
    /// 'Date input formats' to the endpoint's format, allowed values checked case-sensitively. An
    /// empty value leaves the field out; an empty constant is written as empty text. Item-level
    /// fields take the first row's values; fields under [] take each row's. 'Suggest mapping' fills
    /// this from the input's header names.
    /// </summary>
    [Setting(Order = 3, Group = "Mapping", Editor = EditorHint.Table)]
    public List<PayloadMapping> Mapping { get; set; } = [];

    /// <summary>
    /// Key columns that make one item of several rows (e.g. bill_number): the rows with the same key
    /// become one item whose line items are the rows. Empty: each row is one item (or, for a custom
    /// template, 'Records per payload' rows are).
    /// </summary>
    [Setting(Order = 4, Group = "Grouping", Editor = EditorHint.ColumnList, Placeholder = "bill_number")]
    public List<string> GroupBy { get; set; } = [];

    /// <summary>
    /// With group-by columns: consecutive (default) streams and expects the rows of one key to follow
    /// each other, as in a file sorted by bill; a key that comes back after other keys is rejected
    /// (PAYLOAD_UNSORTED) rather than sent as a second, partial item (it remembers 8 bytes per item
    /// of the file to notice). wholeFile accepts any order but holds every row of a file in memory
    /// until the file ends (about three times the file's size). Items never span two files.
    /// </summary>
    [Setting(Order = 5, Group = "Grouping")]
    public PayloadGroupMode GroupMode { get; set; } = PayloadGroupMode.Consecutive;

    /// <summary>
    /// When a value of one row of a multi-row item is bad (a line item's qty that is not a number):
    /// rejectItem (default) rejects every row of the item, so no bill is sent without one of its
    /// lines; rejectRowOnly rejects that row and sends the item without it. A bad item-level field
    /// (billNumber, billingDate…) always rejects the whole item.
    /// </summary>
    [Setting(Order = 6, Group = "Grouping")]
    public PayloadRowErrors RowErrors { get; set; } = PayloadRowErrors.RejectItem;

    /// <summary>
    /// Custom template without group-by only: how many consecutive rows make one item (1–1000); the
    /// item's lists get one element per row, its other fields come from the first row. For the
    /// Capillary endpoints it stays 1: each bill or customer is one item, and the API sink packs
    /// items into requests (its own batch size setting).
    /// </summary>
    [Setting(Order = 7, Group = "Grouping")]
    [Range(1, 1000, ErrorMessage = "Records per payload must be between 1 and 1000.")]
    public int RecordsPerPayload { get; set; } = 1;

    /// <summary>
    /// The formats the input's dates are written in, tried in order (.NET formats, e.g.
    /// dd/MM/yyyy HH:mm, yyyyMMdd). ISO 8601 (2025-04-11, 2025-04-11 11:00:00, 2025-04-11T11:00:00+05:30)
    /// is always accepted after them. A date that matches none rejects its row, naming the formats tried.
    /// </summary>
    [Setting(Order = 8, Group = "Dates", Editor = EditorHint.Table, Placeholder = "dd/MM/yyyy HH:mm")]
    public List<string> DateInputFormats { get; set; } = [];

    /// <summary>
    /// Time zone of input dates that carry no offset (IANA name, e.g. Asia/Kolkata). v2 dates are then
    /// written with its offset (2025-04-11T11:00:00+05:30), and input dates with an offset are converted
    /// to it. Empty: dates are written as read, without an offset when they have none.
    /// </summary>
    [Setting(Order = 9, Group = "Dates", Placeholder = "Asia/Kolkata")]
    public string? TimeZone { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Problems().Select(p => new ValidationResult(p.Message, [p.Setting]));

    /// <summary>The template the items follow (parsed from 'Custom template' for the custom endpoint), or the reason there is none.</summary>
    internal PayloadTemplate? Template(out string? error)
    {
        error = null;
        if (Endpoint != PayloadEndpoint.Custom) return PayloadTemplates.For(Endpoint);
        return CustomPayloadTemplate.TryParse(CustomTemplate, out var template, out error) ? template : null;
    }

    /// <summary>The time zone to write dates in (null when none is set or the name is unknown).</summary>
    internal TimeZoneInfo? Zone() =>
        !string.IsNullOrWhiteSpace(TimeZone) && PayloadDates.TryFindZone(TimeZone, out var zone) ? zone : null;

    /// <summary>
    /// Every problem of the settings in words a user can act on (checked again when the block starts),
    /// with the setting it belongs to. Mapping entries that are valid are handed to <paramref name="valid"/>.
    /// </summary>
    /// <param name="template">The template already read from these settings (a custom one is parsed again otherwise).</param>
    /// <param name="valid">Receives each mapping entry that is valid.</param>
    internal IEnumerable<(string Setting, string Message)> Problems(PayloadTemplate? template = null, Action<PayloadTarget>? valid = null)
    {
        foreach (var problem in DateProblems()) yield return problem;
        foreach (var problem in GroupingProblems()) yield return problem;
        string? templateError = null;
        template ??= Template(out templateError);
        if (template is null)
        {
            yield return (CustomTemplateSetting, $"Custom template: {templateError}");
            yield break;
        }
        if (Mapping is null || Mapping.Count == 0)
        {
            yield return (MappingSetting, $"Map at least one field of the {template.Name} item (Suggest mapping proposes one from the input's headers).");
            yield break;
        }
        var converter = new PayloadValueConverter(new PayloadDates(DateInputFormats ?? [], Zone()));
        var targets = new List<PayloadTarget>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Mapping.Count; i++)
        {
            var target = PayloadTarget.Create(template, Mapping[i], i, converter, out var error);
            if (target is null)
            {
                yield return (MappingSetting, error!);
                continue;
            }
            if (!seen.TryAdd(target.Path, i))
            {
                yield return (MappingSetting, $"Mapping {i + 1}: '{target.Path}' is already mapped by mapping {seen[target.Path] + 1}. Map each field once.");
                continue;
            }
            targets.Add(target);
            valid?.Invoke(target);
        }
        // Fields whose entry is there but wrong were reported above; they are not reported again as missing.
        var attempted = Mapping.Where(m => !string.IsNullOrWhiteSpace(m?.Field)).Select(m => m!.Field.Trim()).ToHashSet(StringComparer.Ordinal);
        foreach (var problem in RequiredProblems(template, targets, attempted)) yield return (MappingSetting, problem);
    }

    private IEnumerable<(string Setting, string Message)> DateProblems()
    {
        if (DateInputFormats is null) yield break;
        foreach (var format in DateInputFormats)
        {
            if (!PayloadDates.IsValidFormat(format))
                yield return (DateInputFormatsSetting, $"'{format}' is not a .NET date format. Write it like dd/MM/yyyy HH:mm (dd day, MM month, yyyy year, HH hours, mm minutes, ss seconds).");
        }
        if (!string.IsNullOrWhiteSpace(TimeZone) && !PayloadDates.TryFindZone(TimeZone, out _))
            yield return (TimeZoneSetting, $"'{TimeZone}' is not a time zone this machine knows. Give an IANA name such as Asia/Kolkata or Europe/Paris, or leave it empty.");
    }

    private IEnumerable<(string Setting, string Message)> GroupingProblems()
    {
        var keys = GroupBy ?? [];
        if (keys.Any(string.IsNullOrWhiteSpace))
            yield return (GroupBySetting, "A group-by column is empty. Give each key column's name, or remove the empty entry.");
        foreach (var twice in keys.Where(k => !string.IsNullOrWhiteSpace(k)).GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            yield return (GroupBySetting, $"The group-by column '{twice.Key}' is listed twice. List each key column once.");
        if (RecordsPerPayload > 1 && Endpoint != PayloadEndpoint.Custom)
            yield return (RecordsPerPayloadSetting, $"Records per payload applies to custom templates only. For {JsonNamingPolicy.CamelCase.ConvertName(Endpoint.ToString())} each bill or customer is one item and the API sink packs items into requests (its batch size); set it to 1, and use group-by columns to make one item of several rows.");
        else if (RecordsPerPayload > 1 && keys.Count > 0)
            yield return (RecordsPerPayloadSetting, "Records per payload packs consecutive rows into one item when there are no group-by columns; with group-by columns each key is one item. Set it to 1 or remove the group-by columns.");
    }

    private static IEnumerable<string> RequiredProblems(PayloadTemplate template, List<PayloadTarget> targets, HashSet<string> mapped)
    {
        var mappedMaps = template.MapParts.Where(m => mapped.Any(p => p.StartsWith(m.Path + ".", StringComparison.Ordinal))).Select(m => m.Path).ToHashSet(StringComparer.Ordinal);
        var usedLists = targets.Where(t => t.InList is not null).Select(t => t.InList!).ToHashSet();
        foreach (var field in template.Fields.Where(f => f.Required && !f.AutoNumber && !mapped.Contains(f.Path)))
        {
            if (field.InList is null)
                yield return $"'{field.Path}' is required by the {template.Name} item: map it to a column, a formula or a constant.";
            else if (usedLists.Contains(field.InList))
                yield return $"'{field.Path}' is required in every element of '{field.InList.Path}': map it, or map none of '{field.InList.Path}'.";
        }
        foreach (var rule in template.Rules)
        {
            if (rule.AnyOf.Any(p => mapped.Contains(p) || mappedMaps.Contains(p))) continue;
            if (rule.WhenField is null)
            {
                yield return $"{Capitalize(rule.Describe())} by the {template.Name} item: map {(rule.AnyOf.Count == 1 ? "it" : "at least one")}.";
                continue;
            }
            var condition = targets.FirstOrDefault(t => t.Path == rule.WhenField);
            if (condition is { Constant.Text: { } constant } && rule.WhenValues!.Contains(constant, StringComparer.Ordinal))
                yield return $"{Capitalize(rule.Describe())}, and '{rule.WhenField}' is the constant '{constant}': map {(rule.AnyOf.Count == 1 ? "it" : "at least one")}.";
        }
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

/// <summary>One entry of the mapping: a field of the item and where its value comes from (exactly one of source, formula, constant).</summary>
public sealed class PayloadMapping
{
    /// <summary>The field's path in the item, e.g. billNumber, lineItemsV2[].qty, extendedFields.cashier_id.</summary>
    [Required]
    public string Field { get; set; } = "";

    /// <summary>Input column whose value is used (matched ignoring case).</summary>
    public string? Source { get; set; }

    /// <summary>Formula computing the value from the row, e.g. <c>concat('91', [mobile])</c>.</summary>
    public string? Formula { get; set; }

    /// <summary>Fixed value for every item, e.g. REGULAR or INSTORE (converted to the field's type like any value).</summary>
    public string? Constant { get; set; }

    /// <summary>Which of source, formula and constant are given (a blank source or formula counts as not given; an empty constant counts).</summary>
    internal List<string> ValueKinds()
    {
        var kinds = new List<string>(3);
        if (!string.IsNullOrWhiteSpace(Source)) kinds.Add("source");
        if (!string.IsNullOrWhiteSpace(Formula)) kinds.Add("formula");
        if (Constant is not null) kinds.Add("constant");
        return kinds;
    }

    public override string ToString() => $"{Field} ← {(Source is not null ? $"column '{Source}'" : Formula is not null ? $"formula '{Formula}'" : $"constant '{Constant}'")}";
}

/// <summary>A checked mapping entry: the part of the template it fills, and its parsed formula or converted constant.</summary>
internal sealed class PayloadTarget
{
    private PayloadTarget(PayloadMapping mapping, int index, PayloadField? field, PayloadMapPart? map, string? entryName)
    {
        Mapping = mapping;
        Index = index;
        Field = field;
        Map = map;
        EntryName = entryName;
        InList = field?.InList ?? map?.InList;
    }

    public PayloadMapping Mapping { get; }

    /// <summary>Position in the mapping list.</summary>
    public int Index { get; }

    /// <summary>The field filled, or null for a map entry.</summary>
    public PayloadField? Field { get; }

    /// <summary>The map an entry is added to, or null for a field.</summary>
    public PayloadMapPart? Map { get; }

    /// <summary>The entry's name in <see cref="Map"/>.</summary>
    public string? EntryName { get; }

    /// <summary>The list the target is in (null at item level).</summary>
    public PayloadList? InList { get; }

    /// <summary>The mapped path.</summary>
    public string Path => Field?.Path ?? $"{Map!.Path}.{EntryName}";

    public string? Source => string.IsNullOrWhiteSpace(Mapping.Source) ? null : Mapping.Source;

    public Formula? Formula { get; private set; }

    /// <summary>The constant converted to the field's type (missing when this is not a constant or it is blank).</summary>
    public PayloadValue Constant { get; private set; }

    public bool IsConstant => Source is null && Formula is null;

    /// <summary>"from column 'bill_date'": where a value came from, for messages.</summary>
    public string Origin => _origin ??= Source is not null ? $"from column '{Source}'" : Formula is not null ? $"from the formula '{Formula.Text}'" : "from the constant";

    private string? _origin;

    /// <summary>"column 'bill_number' is empty": why there is no value, for messages.</summary>
    public string EmptyReason => Source is not null ? $"column '{Source}' is empty" : Formula is not null ? $"the formula '{Formula.Text}' gave no value" : "the constant is empty";

    /// <summary>Checks a mapping entry against the template; null with the reason when it is not valid.</summary>
    public static PayloadTarget? Create(PayloadTemplate template, PayloadMapping? mapping, int index, PayloadValueConverter converter, out string? error)
    {
        var label = $"Mapping {index + 1}";
        if (mapping is null || string.IsNullOrWhiteSpace(mapping.Field))
        {
            error = $"{label} has no field. Give the path of a field of the {template.Name} item, e.g. {(template.Fields.Count > 0 ? template.Fields[0].Path : "billNumber")}.";
            return null;
        }
        label = $"Mapping {index + 1} ('{mapping.Field}')";
        if (!template.TryResolve(mapping.Field.Trim(), out var field, out var map, out var entry, out var resolveError))
        {
            error = $"{label}: {resolveError}";
            return null;
        }
        var kinds = mapping.ValueKinds();
        if (kinds.Count != 1)
        {
            error = kinds.Count == 0
                ? $"{label}: give it a source column, a formula or a constant."
                : $"{label}: give only one of source, formula or constant (it has {string.Join(" and ", kinds)}).";
            return null;
        }
        var target = new PayloadTarget(mapping, index, field, map, entry);
        error = null;
        switch (kinds[0])
        {
            case "formula":
                if (!Expressions.Formula.TryParse(mapping.Formula, out var formula, out var formulaError))
                {
                    error = $"{label}: {formulaError}";
                    return null;
                }
                target.Formula = formula;
                break;
            case "constant":
                var constantField = field ?? new PayloadField(entry!, PayloadFieldType.Text);
                if (!converter.TryConvert(constantField, mapping.Constant, keepEmptyText: true, "in the constant", out var value, out var message))
                {
                    error = $"{label}: {message}";
                    return null;
                }
                if (field is { Required: true } && string.IsNullOrWhiteSpace(mapping.Constant))
                {
                    error = $"{label}: the field is required; give a constant that is not empty.";
                    return null;
                }
                target.Constant = value;
                break;
        }
        return target;
    }
}
