using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Expressions;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// The checked settings of a Build API payload block: the template, the mapping entries with their
/// parsed formulas and converted constants, and each entry's slot in the values of an item or a row.
/// </summary>
internal sealed class PayloadPlan
{
    private PayloadPlan(BuildApiPayloadSettings settings, PayloadTemplate template, List<PayloadTarget> targets)
    {
        Template = template;
        Targets = targets;
        Converter = new PayloadValueConverter(new PayloadDates(settings.DateInputFormats ?? [], settings.Zone()));
        GroupBy = [.. (settings.GroupBy ?? []).Select(c => c.Trim())];
        Slots = new int[targets.Count];
        foreach (var target in targets)
        {
            if (target.Field is { } field) FieldTargets[field] = target;
            else
            {
                if (!MapTargets.TryGetValue(target.Map!, out var entries)) MapTargets[target.Map!] = entries = [];
                entries.Add(target);
            }
            Slots[target.Index] = target.InList is null ? ItemSlots++ : RowSlots++;
        }
        ItemTargets = [.. targets.Where(t => t.InList is null)];
        RowTargets = [.. targets.Where(t => t.InList is not null)];
        ListPlans = [.. template.Lists.Select(list => new PayloadListPlan(list, [.. targets.Where(t => t.InList == list)]))];
        WriteParts = Writable(template.Item.Children);
        RulePlans = [.. template.Rules.Select(rule => new PayloadRulePlan(rule, WhenSlot(rule), [.. rule.AnyOf.Select(ItemSlotsOf)]))];
        KeySlots = [.. template.KeyFields.Select(ItemSlotsOf)];
    }

    /// <summary>Per path of the template's <see cref="PayloadTemplate.KeyFields"/>: the item slots that give it a value, resolved once.</summary>
    public int[][] KeySlots { get; }

    /// <summary>The template's rules with the item slots they read, resolved once.</summary>
    public PayloadRulePlan[] RulePlans { get; }

    // The slot of a rule's condition field at item level; -1 when it is not mapped there (the rule never applies).
    private int WhenSlot(PayloadRule rule) =>
        rule.WhenField is not null && Template.Find(rule.WhenField) is PayloadField when && FieldTargets.TryGetValue(when, out var target) && target.InList is null
            ? Slots[target.Index]
            : -1;

    // The item slots that give a path a value: a mapped field's, or a map's entries'; none when it is not mapped.
    private int[] ItemSlotsOf(string path) => Template.Find(path) switch
    {
        PayloadField field when FieldTargets.TryGetValue(field, out var target) && target.InList is null => [Slots[target.Index]],
        PayloadMapPart map when MapTargets.TryGetValue(map, out var entries) => [.. entries.Where(e => e.InList is null).Select(e => Slots[e.Index])],
        _ => [],
    };

    /// <summary>
    /// The parts of the item that can be written under this plan, in template order: mapped fields, auto
    /// numbers, maps with entries, and the objects and lists that hold any of them (the rest of the template
    /// never is). The JSON writer walks these instead of the whole template, with slots resolved once.
    /// </summary>
    public PayloadWritePart[] WriteParts { get; }

    private PayloadWritePart[] Writable(IReadOnlyList<PayloadNode> children)
    {
        var parts = new List<PayloadWritePart>();
        foreach (var child in children)
        {
            switch (child)
            {
                case PayloadField field when FieldTargets.TryGetValue(field, out var target):
                    var part = new PayloadWritePart(field) { Target = target, Slot = Slots[target.Index] };
                    if (target.IsConstant && target.Constant.HasValue) part.ConstantProperty = ConstantProperty(part, target.Constant);
                    parts.Add(part);
                    break;
                case PayloadField { AutoNumber: true } field:
                    parts.Add(new PayloadWritePart(field));
                    break;
                case PayloadMapPart map when MapTargets.TryGetValue(map, out var entries):
                    parts.Add(new PayloadWritePart(map) { Entries = [.. entries] });
                    break;
                case PayloadList list when Array.FindIndex(ListPlans, p => p.List == list) is var index and >= 0 && ListPlans[index].Targets.Length > 0:
                    parts.Add(new PayloadWritePart(list) { ListIndex = index, Children = Writable(list.Children) });
                    break;
                case PayloadObject obj when Writable(obj.Children) is { Length: > 0 } inner:
                    parts.Add(new PayloadWritePart(obj) { Children = inner });
                    break;
            }
        }
        return [.. parts];
    }

    /// <summary>
    /// A constant field's property as the builder writes it for every item or element (<c>"name":value</c>, without
    /// the comma before it): written by the same writer, once.
    /// </summary>
    private static byte[] ConstantProperty(PayloadWritePart part, PayloadValue value)
    {
        using var json = new PayloadJsonWriter();
        json.WriteStartObject();
        PayloadItemBuilder.WriteField(json, part, value);
        return json.Written[1..].ToArray();
    }

    public PayloadTemplate Template { get; }

    /// <summary>The mapping entries, in mapping order (a target's Index is its position here).</summary>
    public IReadOnlyList<PayloadTarget> Targets { get; }

    public PayloadValueConverter Converter { get; }

    /// <summary>The group-by columns (empty: no grouping).</summary>
    public IReadOnlyList<string> GroupBy { get; }

    /// <summary>Per target: its index in the item's values (item level) or in a row's values (inside a list).</summary>
    public int[] Slots { get; }

    public int ItemSlots { get; }

    public int RowSlots { get; }

    public Dictionary<PayloadField, PayloadTarget> FieldTargets { get; } = [];

    /// <summary>A map's entries, in mapping order.</summary>
    public Dictionary<PayloadMapPart, List<PayloadTarget>> MapTargets { get; } = [];

    /// <summary>The targets at item level (evaluated on an item's first row).</summary>
    public PayloadTarget[] ItemTargets { get; }

    /// <summary>The targets inside lists (evaluated on every row).</summary>
    public PayloadTarget[] RowTargets { get; }

    /// <summary>Every list of the template, with its targets.</summary>
    public PayloadListPlan[] ListPlans { get; }

    /// <summary>Checks the settings once, before any row.</summary>
    /// <exception cref="BlockException">The settings are not valid (the message says which and why).</exception>
    public static PayloadPlan Compile(BuildApiPayloadSettings settings)
    {
        var template = settings.Template(out var templateError)
            ?? throw new BlockException($"Setting '{BuildApiPayloadSettings.CustomTemplateSetting}': {templateError}") { Setting = BuildApiPayloadSettings.CustomTemplateSetting };
        var targets = new List<PayloadTarget>();
        if (settings.Problems(template, targets.Add).FirstOrDefault() is { Message: not null } problem)
            throw new BlockException($"Setting '{problem.Setting}': {problem.Message}") { Setting = problem.Setting };
        return new PayloadPlan(settings, template, targets);
    }
}

/// <summary>A part of the template that a plan can write (see <see cref="PayloadPlan.WriteParts"/>).</summary>
internal sealed class PayloadWritePart(PayloadNode node)
{
    private readonly PayloadTarget? _target;

    /// <summary>The template's part: a field, a map, an object or a list.</summary>
    public PayloadNode Node { get; } = node;

    /// <summary>What the part is, resolved once (the writer switches on it for every part of every item).</summary>
    public PayloadWriteKind Kind { get; } = node switch
    {
        PayloadField => PayloadWriteKind.Field,
        PayloadMapPart => PayloadWriteKind.Map,
        PayloadObject => PayloadWriteKind.Object,
        PayloadList => PayloadWriteKind.List,
        _ => PayloadWriteKind.None,
    };

    /// <summary>A field's name as written before its value: <c>"name":</c> (UTF-8, escaped as the JSON writer escapes names).</summary>
    public byte[] QuotedName { get; } = node is PayloadField field ? [(byte)'"', .. field.JsonName.EncodedUtf8Bytes, (byte)'"', (byte)':'] : [];

    /// <summary>A mapped field's mapping entry (null for an auto-numbered field that is not mapped).</summary>
    public PayloadTarget? Target
    {
        get => _target;
        init
        {
            _target = value;
            InList = value?.InList is not null;
        }
    }

    /// <summary>
    /// A constant field's bytes (<c>"name":value</c>), the same for every item and element: written as they are
    /// (null when the field is not a constant with a value). See <see cref="PayloadItemBuilder.WriteField"/>.
    /// </summary>
    public byte[]? ConstantProperty { get; set; }

    /// <summary>A mapped field's value is a row's (inside a list), not the item's.</summary>
    public bool InList { get; private init; }

    /// <summary>A mapped field's slot in the item's values (item level) or in a row's values (inside a list).</summary>
    public int Slot { get; init; } = -1;

    /// <summary>A map's entries, in mapping order.</summary>
    public PayloadTarget[] Entries { get; init; } = [];

    /// <summary>A list's index in <see cref="PayloadPlan.ListPlans"/>.</summary>
    public int ListIndex { get; init; } = -1;

    /// <summary>An object's or a list's writable parts.</summary>
    public PayloadWritePart[] Children { get; init; } = [];
}

/// <summary>What a <see cref="PayloadWritePart"/> is.</summary>
internal enum PayloadWriteKind : byte
{
    None,
    Field,
    Map,
    Object,
    List,
}

/// <summary>A rule of the template with the item slots it reads (see <see cref="PayloadPlan.RulePlans"/>).</summary>
internal sealed class PayloadRulePlan(PayloadRule rule, int whenSlot, int[][] anyOf)
{
    public PayloadRule Rule { get; } = rule;

    /// <summary>The item slot of the rule's condition field; -1 when the rule has none or it is not mapped.</summary>
    public int WhenSlot { get; } = whenSlot;

    /// <summary>Per path of <see cref="PayloadRule.AnyOf"/>: the item slots that give it a value.</summary>
    public int[][] AnyOf { get; } = anyOf;
}

/// <summary>The mapping entries of one list of the template.</summary>
internal sealed class PayloadListPlan
{
    public PayloadListPlan(PayloadList list, PayloadTarget[] targets)
    {
        List = list;
        Targets = targets;
        // A row adds an element only when a value from its columns is there; constants alone do not count.
        Markers = targets.Any(t => !t.IsConstant) ? [.. targets.Where(t => !t.IsConstant)] : targets;
        Required = [.. targets.Where(t => t.Field is { Required: true })];
    }

    public PayloadList List { get; }

    /// <summary>The targets inside the list, in mapping order.</summary>
    public PayloadTarget[] Targets { get; }

    /// <summary>The targets whose value makes a row add an element.</summary>
    public PayloadTarget[] Markers { get; }

    /// <summary>The required fields of an element.</summary>
    public PayloadTarget[] Required { get; }
}

/// <summary>A field whose usual values <see cref="PayloadBinding.ValueFor"/> converts without the converter.</summary>
internal enum PayloadQuickKind : byte
{
    /// <summary>Every value goes through <see cref="PayloadValueConverter.Convert"/>.</summary>
    None,
    /// <summary>A text field: text that is not blank is the value.</summary>
    Text,
    /// <summary>A number written as a number: a plain JSON number is the value.</summary>
    Number,
    /// <summary>A whole number written as a number: a plain JSON whole number is the value.</summary>
    WholeNumber,
}

/// <summary>A <see cref="PayloadPlan"/> resolved against one input schema: column positions and compiled formulas.</summary>
internal sealed class PayloadBinding
{
    private readonly int[] _columns;
    private readonly BoundFormula?[] _formulas;
    private readonly int[] _keys;
    // Per target: how a column's value is converted when it is the usual kind (see ValueFor).
    private readonly PayloadQuickKind[] _quick;

    private PayloadBinding(PayloadPlan plan, RecordSchema input, int[] columns, BoundFormula?[] formulas, int[] keys, bool quick)
    {
        Plan = plan;
        Input = input;
        _columns = columns;
        _formulas = formulas;
        _keys = keys;
        _quick = new PayloadQuickKind[columns.Length];
        if (quick)
        {
            foreach (var target in plan.Targets) _quick[target.Index] = QuickKind(target.Field);
        }
    }

    private static PayloadQuickKind QuickKind(PayloadField? field) => field switch
    {
        { Type: PayloadFieldType.Text } => PayloadQuickKind.Text,
        { Type: PayloadFieldType.Number, WriteAsText: false } => PayloadQuickKind.Number,
        { Type: PayloadFieldType.WholeNumber, WriteAsText: false } => PayloadQuickKind.WholeNumber,
        _ => PayloadQuickKind.None,
    };

    public PayloadPlan Plan { get; }

    public RecordSchema Input { get; }

    public bool Groups => _keys.Length > 0;

    /// <summary>
    /// Resolves the plan against an input schema. <c>quick</c> false converts every value with
    /// <see cref="PayloadValueConverter.Convert"/> (what tests compare the quick conversions with).
    /// </summary>
    /// <exception cref="BlockException">A source column, a column read by a formula or a group-by column is not in the input.</exception>
    public static PayloadBinding For(PayloadPlan plan, RecordSchema input, FormulaEnvironment environment, string? file, bool quick = true)
    {
        var where = file is null ? "" : $" (reading {file})";
        var columns = new int[plan.Targets.Count];
        var formulas = new BoundFormula?[plan.Targets.Count];
        foreach (var target in plan.Targets)
        {
            columns[target.Index] = -1;
            if (target.Source is { } source)
            {
                columns[target.Index] = input.IndexOfIgnoreCase(source);
                if (columns[target.Index] < 0)
                {
                    throw new BlockException($"Setting 'mapping': '{target.Path}' takes column '{source}', which the input does not have{where}. Input columns: {input}. Correct the column name.")
                    { Setting = BuildApiPayloadSettings.MappingSetting, File = file };
                }
            }
            else if (target.Formula is { } formula)
            {
                var missing = formula.MissingColumns(input);
                if (missing.Count > 0)
                {
                    throw new BlockException($"Setting 'mapping': the formula of '{target.Path}' ({formula.Text}) reads {string.Join(", ", missing.Select(c => $"'{c}'"))}, which the input does not have{where}. Input columns: {input}. Correct the formula's column names.")
                    { Setting = BuildApiPayloadSettings.MappingSetting, File = file };
                }
                formulas[target.Index] = formula.Bind(input, environment);
            }
        }
        var keys = new int[plan.GroupBy.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = input.IndexOfIgnoreCase(plan.GroupBy[i]);
            if (keys[i] < 0)
            {
                throw new BlockException($"Setting 'groupBy': the key column '{plan.GroupBy[i]}' is not in the input{where}. Input columns: {input}. Correct the column name.")
                { Setting = BuildApiPayloadSettings.GroupBySetting, File = file };
            }
        }
        return new PayloadBinding(plan, input, columns, formulas, keys, quick);
    }

    /// <summary>The row's group key: the key columns' values joined by '|' (a missing value counts as empty).</summary>
    public string GroupKey(in Record row) => _keys.Length == 1 ? row[_keys[0]] ?? "" : JoinedKey(row.Values);

    // Apart from GroupKey: a lambda capturing the row there made every call allocate its closure, one key column or not.
    private string JoinedKey(string?[] values)
    {
        var parts = new string[_keys.Length];
        for (var i = 0; i < parts.Length; i++) parts[i] = (uint)_keys[i] < (uint)values.Length ? values[_keys[i]] ?? "" : "";
        return string.Join('|', parts);
    }

    /// <summary>
    /// Gives a target's value for a row: read, computed or constant, then converted to the field's type.
    /// A failed formula or conversion comes back as a value that <see cref="PayloadValue.IsFailure"/>, with the
    /// message as its text (no out parameters: this runs for every mapped field of every row).
    /// </summary>
    public PayloadValue ValueFor(PayloadTarget target, in Record row)
    {
        string? raw;
        var index = target.Index;
        if ((uint)_columns[index] is var column && column < (uint)row.Values.Length)
        {
            // The usual case: a source column (a formula's and a constant's column is -1, which fails this test).
            raw = row.Values[column];
            // The usual values of the usual fields, as PayloadValueConverter.Convert gives them, without its walk:
            // text that does not start with white space (so is not blank), and plain JSON numbers (which start
            // with '-' or a digit, so are not blank either).
            switch (_quick[index])
            {
                case PayloadQuickKind.Text when raw is { Length: > 0 } && !char.IsWhiteSpace(raw[0]):
                    return PayloadValue.OfText(raw);
                case PayloadQuickKind.Number when raw is not null && PayloadValueConverter.IsPlainNumber(raw, whole: false):
                case PayloadQuickKind.WholeNumber when raw is not null && PayloadValueConverter.IsPlainNumber(raw, whole: true):
                    return PayloadValue.OfNumberText(raw);
            }
        }
        else if (_formulas[index] is { } formula)
        {
            try
            {
                raw = formula.EvaluateText(row);
            }
            catch (FormulaException ex)
            {
                return new PayloadValue(PayloadValueKind.FormulaFailed, $"Field '{target.Path}': {ex.Message}");
            }
        }
        else if (_columns[index] >= 0)
        {
            // A source column beyond the row's values reads as missing (as Record's indexer gives it).
            raw = null;
        }
        else
        {
            return target.Constant;
        }
        if (target.Field is not { } field) return string.IsNullOrWhiteSpace(raw) ? PayloadValue.Missing : PayloadValue.OfText(raw);
        return Plan.Converter.Convert(field, raw, keepEmptyText: false, target.Origin);
    }

    /// <summary>The reject code of a failed value.</summary>
    public static string FailureCode(PayloadValue value) =>
        value.Kind == PayloadValueKind.FormulaFailed ? BuildApiPayloadBlock.FormulaErrorCode : BuildApiPayloadBlock.FieldErrorCode;
}
