namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>A proposed mapping for the Build API payload block, and what it could not place.</summary>
/// <param name="Mapping">Entries in the template's field order: columns, and constants for fields such as type (REGULAR).</param>
/// <param name="GroupBy">The key column to group lines by (the bill number's column) when line items were mapped; otherwise empty.</param>
/// <param name="UnmatchedHeaders">Headers no field was found for, in input order.</param>
public sealed record PayloadSuggestion(IReadOnlyList<PayloadMapping> Mapping, IReadOnlyList<string> GroupBy, IReadOnlyList<string> UnmatchedHeaders);

/// <summary>
/// Proposes a mapping from the input's header names: each field of the template has header names
/// that suggest it (<see cref="PayloadField.Hints"/>), compared after normalizing (<c>Bill No.</c>,
/// <c>bill_no</c>, <c>BillNo</c> → <c>billno</c>). A column is used once, except that a payment
/// value with no column of its own reuses the bill amount's. Headers such as <c>ext_cashier_id</c>
/// and <c>custom_Bank</c> become extended and custom fields. The UI calls this; nothing is checked
/// against data, so the user reviews the proposal.
/// </summary>
public static class PayloadMappingSuggester
{
    /// <summary>Proposes a mapping for a known endpoint.</summary>
    public static PayloadSuggestion Suggest(PayloadEndpoint endpoint, IEnumerable<string> headers) =>
        Suggest(PayloadTemplates.For(endpoint), headers);

    /// <summary>Proposes a mapping for a template (known or custom).</summary>
    public static PayloadSuggestion Suggest(PayloadTemplate template, IEnumerable<string> headers)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(headers);
        var columns = headers.Where(h => !string.IsNullOrWhiteSpace(h)).Distinct(StringComparer.Ordinal)
            .Select(h => (Header: h, Name: PayloadHints.Normalize(h))).ToList();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var chosen = new Dictionary<string, PayloadMapping>(StringComparer.Ordinal);

        string? Match(IReadOnlyList<string> hints)
        {
            foreach (var hint in hints)
            {
                foreach (var (header, name) in columns)
                {
                    if (name == hint && used.Add(header)) return header;
                }
            }
            return null;
        }

        foreach (var field in template.Fields)
        {
            if (chosen.ContainsKey(field.Path)) continue;
            if (field.TypedBy is { } typedBy && template.Find(typedBy) is PayloadField kind)
            {
                SuggestTyped(field, kind, Match, chosen);
                continue;
            }
            if (Match(field.Hints) is { } header) chosen[field.Path] = new PayloadMapping { Field = field.Path, Source = header };
            else if (SameAs(field, chosen) is { } reused) chosen[field.Path] = new PayloadMapping { Field = field.Path, Source = reused };
            else if (field.SuggestedConstant is { } constant) chosen[field.Path] = new PayloadMapping { Field = field.Path, Constant = constant };
        }
        foreach (var map in template.MapParts.Where(m => m.AllowedNames.Count > 0))
        {
            foreach (var name in map.AllowedNames)
            {
                if (Match(PayloadHints.ForIdentifier(name)) is { } header)
                    chosen[$"{map.Path}.{name}"] = new PayloadMapping { Field = $"{map.Path}.{name}", Source = header };
            }
        }
        SuggestPrefixed(template, columns.Select(c => c.Header).Where(h => !used.Contains(h)), used, chosen);

        var mapping = Ordered(template, chosen);
        var unmatched = columns.Select(c => c.Header).Where(h => !used.Contains(h)).ToList();
        return new PayloadSuggestion(mapping, GroupBy(template, mapping), unmatched);
    }

    /// <summary>identifierValue: the first identifier type (mobile, email…) with a matching header, and identifierType as a constant.</summary>
    private static void SuggestTyped(PayloadField field, PayloadField kind, Func<IReadOnlyList<string>, string?> match, Dictionary<string, PayloadMapping> chosen)
    {
        foreach (var type in kind.AllowedValues)
        {
            if (match(PayloadHints.ForIdentifier(type)) is not { } header) continue;
            chosen[field.Path] = new PayloadMapping { Field = field.Path, Source = header };
            chosen[kind.Path] = new PayloadMapping { Field = kind.Path, Constant = type };
            return;
        }
    }

    /// <summary>The column of <see cref="PayloadField.SuggestSameAs"/>, when something else of the field's list was mapped.</summary>
    private static string? SameAs(PayloadField field, Dictionary<string, PayloadMapping> chosen)
    {
        if (field.SuggestSameAs is null || !chosen.TryGetValue(field.SuggestSameAs, out var other) || other.Source is null) return null;
        var listMapped = field.InList is { } list && chosen.Keys.Any(p => p.StartsWith(list.Path + ".", StringComparison.Ordinal));
        return listMapped ? other.Source : null;
    }

    private static void SuggestPrefixed(PayloadTemplate template, IEnumerable<string> headers, HashSet<string> used, Dictionary<string, PayloadMapping> chosen)
    {
        foreach (var header in headers.ToList())
        {
            foreach (var map in template.MapParts.Where(m => m.InList is null && m.AllowedNames.Count == 0))
            {
                var prefix = map.HintPrefixes.FirstOrDefault(p => header.Length > p.Length && header.StartsWith(p, StringComparison.OrdinalIgnoreCase));
                if (prefix is null) continue;
                var path = $"{map.Path}.{header[prefix.Length..]}";
                if (chosen.ContainsKey(path)) continue;
                chosen[path] = new PayloadMapping { Field = path, Source = header };
                used.Add(header);
                break;
            }
        }
    }

    /// <summary>The entries in the template's order (a map's entries where the map is).</summary>
    private static List<PayloadMapping> Ordered(PayloadTemplate template, Dictionary<string, PayloadMapping> chosen)
    {
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in template.Nodes) order[node.Path] = order.Count;
        int Position(string path)
        {
            if (order.TryGetValue(path, out var position)) return position;
            var map = template.MapParts.FirstOrDefault(m => path.StartsWith(m.Path + ".", StringComparison.Ordinal));
            return map is null ? int.MaxValue : order[map.Path];
        }
        // Sort by position in the template, then by when the entry was chosen (stable for map entries).
        return [.. chosen.Select((pair, i) => (pair.Value, Rank: (Position(pair.Key), i))).OrderBy(e => e.Rank).Select(e => e.Value)];
    }

    private static List<string> GroupBy(PayloadTemplate template, List<PayloadMapping> mapping)
    {
        var linesMapped = template.Lists.Where(l => l.Kind == PayloadListKind.PerRow)
            .Any(l => mapping.Any(m => m.Source is not null && m.Field.StartsWith(l.Path + ".", StringComparison.Ordinal)));
        if (!linesMapped) return [];
        foreach (var key in template.KeyFields)
        {
            if (mapping.FirstOrDefault(m => m.Field == key && m.Source is not null) is { } found) return [found.Source!];
        }
        return [];
    }
}
