using System.Text;
using System.Text.Json;
using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// The record format that carries API payload items from the Build API payload block to an API sink:
/// one row per item (a bill with its line items, a customer…) with the columns <see cref="Key"/>
/// (the group key, e.g. the bill number), <see cref="Payload"/> (the item's JSON) and
/// <see cref="SourceRows"/> (the input rows the item was built from, as a JSON array of objects
/// column → value, plus <c>_source_file</c> and <c>_source_line</c>). An API sink sends items in
/// batches and reports every source row as succeeded or rejected, with its original columns.
/// A file with a <c>payload</c> column of ready JSON can feed a sink too; source rows are then the row itself.
/// </summary>
public static class PayloadRecord
{
    public const string Key = "payload_key";
    public const string Payload = "payload";
    public const string SourceRows = "source_rows";
    public const string SourceFileField = "_source_file";
    public const string SourceLineField = "_source_line";

    /// <summary>The schema of payload records.</summary>
    public static RecordSchema Schema { get; } = new([Key, Payload, SourceRows]);

    /// <summary>
    /// Builds the payload record, in text alone (as read back from a file), for an item built from
    /// <paramref name="rows"/> of <paramref name="schema"/>.
    /// </summary>
    public static Record Create(string? key, string payloadJson, RecordSchema schema, IReadOnlyList<Record> rows)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(rows);
        var source = rows.Count > 0 ? rows[0].Source : SourceRef.None;
        return new Record([key, payloadJson, SourceRowsText.Write(schema, rows)], source);
    }

    /// <summary>
    /// Builds the payload record of an item: the item (its UTF-8 JSON and source rows) rides along as the
    /// row's <see cref="Record.Attachment"/>, which API sinks take as it is. The <see cref="Payload"/> and
    /// <see cref="SourceRows"/> texts are written only <paramref name="withText"/> (when a block other than an
    /// API sink reads the records, e.g. Write CSV); otherwise those columns are empty.
    /// </summary>
    internal static Record Create(string? key, byte[] json, RecordSchema schema, Record[] rows, bool withText)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(rows);
        var source = rows.Length > 0 ? rows[0].Source : SourceRef.None;
        string?[] values = withText ? [key, Encoding.UTF8.GetString(json), SourceRowsText.Write(schema, rows)] : [key, null, null];
        return new Record(values, source) { Attachment = new PayloadItem(json, schema, rows) };
    }

    /// <summary>
    /// The source rows of a payload record, with their columns in first-seen order and their origin.
    /// A row without a <see cref="SourceRows"/> value (a ready-made payload file) is its own source row.
    /// </summary>
    public static (RecordSchema Schema, IReadOnlyList<Record> Rows) ReadSourceRows(RecordSchema schema, Record row)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var index = schema.IndexOf(SourceRows);
        var text = index < 0 ? null : row[index];
        if (string.IsNullOrEmpty(text)) return (schema, [row]);
        using var document = JsonDocument.Parse(text);
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in document.RootElement.EnumerateArray())
        {
            foreach (var property in item.EnumerateObject())
            {
                if (property.Name is SourceFileField or SourceLineField) continue;
                if (seen.Add(property.Name)) columns.Add(property.Name);
            }
        }
        var sourceSchema = new RecordSchema(columns);
        var rows = new List<Record>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var values = new string?[columns.Count];
            string? file = null;
            long line = 0;
            foreach (var property in item.EnumerateObject())
            {
                switch (property.Name)
                {
                    case SourceFileField: file = property.Value.GetString(); break;
                    case SourceLineField: line = property.Value.GetInt64(); break;
                    default: values[sourceSchema.IndexOf(property.Name)] = property.Value.ValueKind == JsonValueKind.Null ? null : property.Value.GetString(); break;
                }
            }
            rows.Add(new Record(values, new SourceRef(file, line)));
        }
        return (sourceSchema, rows);
    }
}

/// <summary>
/// A built item as it travels from the Build API payload block to an API sink in memory: its JSON in
/// UTF-8 (written by the builder, so well-formed) and the input rows it was built from, with their schema.
/// </summary>
internal sealed record PayloadItem(byte[] Json, RecordSchema SourceSchema, Record[] SourceRows);

/// <summary>
/// A block that sends built API items: when every receiver of a Build API payload output is one (and takes
/// the items from the <see cref="Record.Attachment"/>), the builder skips writing the items' text columns.
/// </summary>
internal interface IPayloadItemReceiver
{
    /// <summary>True when input <paramref name="port"/> sends payload records by their attached item alone.</summary>
    bool ReadsPayloadItems(string port);
}
