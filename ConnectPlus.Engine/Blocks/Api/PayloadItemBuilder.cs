using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>A row of an item that is rejected, with the code and the reason.</summary>
internal readonly record struct PayloadReject(int Row, string Code, string Message);

/// <summary>
/// Builds one payload item from its rows: converts every mapped value, checks required fields and
/// rules, collects line items (one per row) and distinct payment modes, and writes the JSON with a
/// <see cref="PayloadJsonWriter"/>. Buffers are reused from item to item; not thread-safe.
/// </summary>
internal sealed class PayloadItemBuilder : IDisposable
{
    private readonly PayloadPlan _plan;
    private readonly bool _rejectItem;
    private readonly PayloadJsonWriter _json = new();
    private readonly PayloadValue[] _item;
    private readonly List<PayloadValue[]> _rows = [];
    private readonly List<int>[] _elements;
    private readonly HashSet<string> _distinct = new(StringComparer.Ordinal);
    private readonly StringBuilder _identity = new();
    private readonly Dictionary<int, PayloadReject> _failed = [];
    private readonly List<Record> _kept = [];

    public PayloadItemBuilder(PayloadPlan plan, PayloadRowErrors rowErrors)
    {
        _plan = plan;
        _rejectItem = rowErrors == PayloadRowErrors.RejectItem;
        _item = new PayloadValue[plan.ItemSlots];
        _elements = [.. plan.ListPlans.Select(_ => new List<int>())];
    }

    /// <summary>
    /// Builds the payload record of an item made of <paramref name="rows"/> (all of <paramref name="binding"/>'s
    /// schema). Rows that cannot be sent are added to <paramref name="rejects"/>; false when no item is left.
    /// </summary>
    public bool TryBuild(PayloadBinding binding, List<Record> rows, string? groupKey, List<PayloadReject> rejects, bool withText, out Record payload)
    {
        payload = default;
        var span = CollectionsMarshal.AsSpan(rows);
        if (span.Length == 0) return false;
        if (!TryItemValues(binding, span[0], out var code, out var message))
        {
            RejectAll(rows, groupKey, code, message, rejects);
            return false;
        }
        var key = groupKey ?? TemplateKey();
        if (_plan.RulePlans.Length > 0 && BrokenRule() is { } rule)
        {
            RejectAll(rows, key, BuildApiPayloadBlock.RequiredErrorCode, rule, rejects);
            return false;
        }
        CollectElements(binding, span);
        Record[] kept;
        if (_failed.Count == 0)
        {
            kept = span.ToArray();
        }
        else
        {
            if (_rejectItem || _failed.Count == span.Length)
            {
                RejectForRows(rows, key, rejects);
                return false;
            }
            _kept.Clear();
            for (var r = 0; r < span.Length; r++)
            {
                if (_failed.TryGetValue(r, out var failure)) rejects.Add(failure);
                else _kept.Add(span[r]);
            }
            kept = [.. _kept];
        }
        payload = PayloadRecord.Create(key, WriteJson(), binding.Input, kept, withText);
        return true;
    }

    public void Dispose() => _json.Dispose();

    private bool TryItemValues(PayloadBinding binding, in Record first, out string code, out string message)
    {
        var slots = _plan.Slots;
        foreach (var target in _plan.ItemTargets)
        {
            var value = binding.ValueFor(target, first);
            if (value.IsFailure)
            {
                (code, message) = (PayloadBinding.FailureCode(value), value.Text!);
                return false;
            }
            if (target.Field is { Required: true } && !value.HasValue)
            {
                (code, message) = (BuildApiPayloadBlock.RequiredErrorCode, $"Field '{target.Path}' is required, but {target.EmptyReason}.");
                return false;
            }
            _item[slots[target.Index]] = value;
        }
        (code, message) = ("", "");
        return true;
    }

    /// <summary>The first rule of the template the item breaks, in words; null when it keeps them all.</summary>
    private string? BrokenRule()
    {
        foreach (var plan in _plan.RulePlans)
        {
            var rule = plan.Rule;
            if (rule.WhenField is not null)
            {
                var condition = plan.WhenSlot >= 0 ? _item[plan.WhenSlot].Text : null;
                if (condition is null || !Contains(rule.WhenValues!, condition)) continue;
            }
            if (AnyItemValue(plan.AnyOf)) continue;
            var reasons = rule.AnyOf.Select(Reason);
            var what = rule.Describe();
            return $"{char.ToUpperInvariant(what[0])}{what[1..]}, but {string.Join("; ", reasons)}.";
        }
        return null;
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private bool AnyItemValue(int[][] paths) => FirstItemValue(paths).HasValue;

    /// <summary>The first value among the item slots of <paramref name="paths"/> (per path, in order); missing when none has one.</summary>
    private PayloadValue FirstItemValue(int[][] paths)
    {
        foreach (var slots in paths)
        {
            foreach (var slot in slots)
            {
                if (_item[slot].HasValue) return _item[slot];
            }
        }
        return PayloadValue.Missing;
    }

    private string Reason(string path) => _plan.Template.Find(path) switch
    {
        PayloadField field when _plan.FieldTargets.TryGetValue(field, out var target) => target.EmptyReason,
        PayloadMapPart map when _plan.MapTargets.TryGetValue(map, out var entries) => string.Join("; ", entries.Select(e => e.EmptyReason)),
        _ => $"'{path}' is not mapped",
    };

    /// <summary>The item's key without group-by: the first value of the template's key fields.</summary>
    private string? TemplateKey() => FirstItemValue(_plan.KeySlots) is { HasValue: true } found ? found.Identity : null;

    private void CollectElements(PayloadBinding binding, ReadOnlySpan<Record> rows)
    {
        if (_failed.Count > 0) _failed.Clear();
        foreach (var list in _elements) list.Clear();
        if (_plan.RowSlots == 0) return;
        while (_rows.Count < rows.Length) _rows.Add(new PayloadValue[_plan.RowSlots]);
        for (var r = 0; r < rows.Length; r++)
        {
            if (!RowValues(binding, rows[r], _rows[r], out var failure)) _failed[r] = failure with { Row = r };
        }
        var anyFailed = _failed.Count > 0;
        for (var l = 0; l < _plan.ListPlans.Length; l++)
        {
            var list = _plan.ListPlans[l];
            if (list.Targets.Length == 0) continue;
            var elements = _elements[l];
            var distinct = list.List.Kind == PayloadListKind.Distinct;
            if (distinct) _distinct.Clear();
            for (var r = 0; r < rows.Length; r++)
            {
                var values = _rows[r];
                if ((anyFailed && _failed.ContainsKey(r)) || !AnyValue(list.Markers, values)) continue;
                if (distinct && !_distinct.Add(Identity(list, values))) continue;
                elements.Add(r);
            }
        }
    }

    /// <summary>Converts a row's list values; false with the first failure.</summary>
    private bool RowValues(PayloadBinding binding, in Record row, PayloadValue[] values, out PayloadReject failure)
    {
        var slots = _plan.Slots;
        foreach (var target in _plan.RowTargets)
        {
            var value = binding.ValueFor(target, row);
            if (value.IsFailure)
            {
                failure = new PayloadReject(0, PayloadBinding.FailureCode(value), value.Text!);
                return false;
            }
            values[slots[target.Index]] = value;
        }
        foreach (var list in _plan.ListPlans)
        {
            if (list.Required.Length == 0 || !AnyValue(list.Markers, values)) continue;
            foreach (var target in list.Required)
            {
                if (!values[slots[target.Index]].HasValue)
                {
                    failure = new PayloadReject(0, BuildApiPayloadBlock.RequiredErrorCode, $"Field '{target.Path}' is required in every element of '{list.List.Path}', but {target.EmptyReason}.");
                    return false;
                }
            }
        }
        failure = default;
        return true;
    }

    private bool AnyValue(PayloadTarget[] targets, PayloadValue[] values)
    {
        foreach (var target in targets)
        {
            if (values[_plan.Slots[target.Index]].HasValue) return true;
        }
        return false;
    }

    private string Identity(PayloadListPlan list, PayloadValue[] values)
    {
        _identity.Clear();
        foreach (var target in list.Targets)
        {
            var value = values[_plan.Slots[target.Index]];
            _identity.Append(value.HasValue ? value.Identity : "\u0000").Append('\u001F');
        }
        return _identity.ToString();
    }

    private static void RejectAll(List<Record> rows, string? key, string code, string message, List<PayloadReject> rejects)
    {
        var whole = rows.Count > 1 ? $" The whole item{Named(key)} is rejected ({rows.Count} rows)." : "";
        for (var r = 0; r < rows.Count; r++) rejects.Add(new PayloadReject(r, code, message + whole));
    }

    private void RejectForRows(List<Record> rows, string? key, List<PayloadReject> rejects)
    {
        var first = _failed.OrderBy(f => f.Key).First().Value;
        for (var r = 0; r < rows.Count; r++)
        {
            rejects.Add(_failed.TryGetValue(r, out var own)
                ? own with { Message = rows.Count > 1 ? $"{own.Message} The whole item{Named(key)} is rejected ({rows.Count} rows)." : own.Message }
                : new PayloadReject(r, first.Code, $"Rejected with its item{Named(key)}: the row at {rows[first.Row].Source} failed: {first.Message}"));
        }
    }

    private static string Named(string? key) => string.IsNullOrEmpty(key) ? "" : $" '{key}'";

    private byte[] WriteJson()
    {
        _json.Reset();
        _json.WriteStartObject();
        WriteChildren(_plan.WriteParts, null, 0);
        _json.WriteEndObject();
        return _json.Written.ToArray();
    }

    /// <summary>Writes the parts of an object; <paramref name="row"/> is the values of the element's row inside a collection (null at item level).</summary>
    private void WriteChildren(PayloadWritePart[] parts, PayloadValue[]? row, int position)
    {
        foreach (var part in parts)
        {
            switch (part.Kind)
            {
                case PayloadWriteKind.Field when part.ConstantProperty is { } constant:
                    // A constant's value is the same in every item (ValueFor gives the target's Constant).
                    _json.WriteRawProperty(constant);
                    break;
                case PayloadWriteKind.Field:
                    var value = ValueOf(part, row, position);
                    if (value.HasValue) WriteField(_json, part, value);
                    break;
                case PayloadWriteKind.Map:
                    WriteMap((PayloadMapPart)part.Node, part.Entries, row);
                    break;
                case PayloadWriteKind.Object when HasContent(part, row, position):
                    var obj = (PayloadObject)part.Node;
                    if (obj.SingleElementArray) _json.WriteStartArray(obj.JsonName);
                    if (obj.SingleElementArray) _json.WriteStartObject();
                    else _json.WriteStartObject(obj.JsonName);
                    WriteChildren(part.Children, row, position);
                    _json.WriteEndObject();
                    if (obj.SingleElementArray) _json.WriteEndArray();
                    break;
                case PayloadWriteKind.List when _elements[part.ListIndex].Count > 0:
                    _json.WriteStartArray(part.Node.JsonName);
                    var elements = _elements[part.ListIndex];
                    for (var i = 0; i < elements.Count; i++)
                    {
                        _json.WriteStartObject();
                        WriteChildren(part.Children, _rows[elements[i]], i + 1);
                        _json.WriteEndObject();
                    }
                    _json.WriteEndArray();
                    break;
            }
        }
    }

    /// <summary>A field's property and value (which has one).</summary>
    internal static void WriteField(PayloadJsonWriter json, PayloadWritePart part, PayloadValue value)
    {
        if (value.IsV2Date) json.WriteV2DateProperty(part.QuotedName, value.V2Date);
        else if (value.Text is { } text) json.WriteProperty(part.QuotedName, text, raw: value.Kind != PayloadValueKind.Text);
        else value.Write(json, ((PayloadField)part.Node).JsonName);
    }

    private void WriteMap(PayloadMapPart map, PayloadTarget[] entries, PayloadValue[]? row)
    {
        if (!AnyEntry(entries, row)) return;
        switch (map.Style)
        {
            case PayloadMapStyle.Properties:
                _json.WriteStartObject(map.Name);
                foreach (var entry in entries) ValueOf(entry, row).WriteIfPresent(_json, entry.EntryName!);
                _json.WriteEndObject();
                break;
            case PayloadMapStyle.NameValueList:
                _json.WriteStartObject(map.Name);
                _json.WriteStartArray("field");
                WritePairs(entries, row, "name");
                _json.WriteEndArray();
                _json.WriteEndObject();
                break;
            default:
                _json.WriteStartArray(map.Name);
                WritePairs(entries, row, "type");
                _json.WriteEndArray();
                break;
        }
    }

    private void WritePairs(PayloadTarget[] entries, PayloadValue[]? row, string nameProperty)
    {
        foreach (var entry in entries)
        {
            var value = ValueOf(entry, row);
            if (!value.HasValue) continue;
            _json.WriteStartObject();
            _json.WritePropertyName(nameProperty);
            _json.WriteStringValue(entry.EntryName);
            value.Write(_json, "value");
            _json.WriteEndObject();
        }
    }

    private bool HasContent(PayloadWritePart part, PayloadValue[]? row, int position)
    {
        switch (part.Kind)
        {
            case PayloadWriteKind.Field:
                return ValueOf(part, row, position).HasValue;
            case PayloadWriteKind.Map:
                return AnyEntry(part.Entries, row);
            case PayloadWriteKind.List:
                return _elements[part.ListIndex].Count > 0;
            case PayloadWriteKind.Object:
                foreach (var child in part.Children)
                {
                    if (HasContent(child, row, position)) return true;
                }
                return false;
            default:
                return false;
        }
    }

    private bool AnyEntry(PayloadTarget[] entries, PayloadValue[]? row)
    {
        foreach (var entry in entries)
        {
            if (ValueOf(entry, row).HasValue) return true;
        }
        return false;
    }

    /// <summary>A field's value: its mapped value, or its position in the list when it numbers the elements.</summary>
    private PayloadValue ValueOf(PayloadWritePart part, PayloadValue[]? row, int position)
    {
        if (part.Target is not null)
            return !part.InList ? _item[part.Slot] : row is not null ? row[part.Slot] : PayloadValue.Missing;
        var field = (PayloadField)part.Node;
        if (!field.AutoNumber || position <= 0) return PayloadValue.Missing;
        var text = position.ToString(CultureInfo.InvariantCulture);
        return field.WriteAsText ? PayloadValue.OfText(text) : PayloadValue.OfNumberText(text);
    }

    private PayloadValue ValueOf(PayloadTarget target, PayloadValue[]? row) =>
        target.InList is null ? _item[_plan.Slots[target.Index]]
        : row is not null ? row[_plan.Slots[target.Index]]
        : PayloadValue.Missing;
}
