using System.Text;
using System.Text.Json;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>An item's JSON read from a row, or why the row cannot be sent.</summary>
internal readonly record struct ItemRead(byte[]? Json, string? Code = null, string? Message = null)
{
    public static ItemRead Problem(string code, string message) => new(null, code, message);
}

/// <summary>Turns input rows into items to send.</summary>
internal interface IApiItemReader
{
    /// <summary>The reader for rows of a schema (called once per schema); throws <see cref="BlockException"/> when a column it needs is missing.</summary>
    Func<Record, ItemRead> For(RecordSchema schema);
}

/// <summary>Items from the <c>payload</c> column (payload records, or a file with a column of ready JSON).</summary>
internal sealed class PayloadColumnReader(string blockName, bool objectsOnly) : IApiItemReader
{
    public Func<Record, ItemRead> For(RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var index = schema.IndexOf(PayloadRecord.Payload);
        if (index < 0)
        {
            throw new BlockException($"{blockName} sends the JSON in the input column '{PayloadRecord.Payload}', and the input has none (its columns: {schema}). " +
                "Link the Build API payload block to it, or read a file with a 'payload' column.");
        }
        // A built item rides along with its payload record: its JSON was written by the builder, so it is well-formed.
        return row => row.Attachment is PayloadItem item ? new ItemRead(item.Json) : Read(row[index], objectsOnly);
    }

    /// <summary>Checks the text is one JSON value (an object when <paramref name="objectOnly"/>) and gives its UTF-8 bytes.</summary>
    internal static ItemRead Read(string? text, bool objectOnly)
    {
        if (string.IsNullOrWhiteSpace(text)) return ItemRead.Problem("PAYLOAD_MISSING", "The payload is empty: nothing to send.");
        var json = Encoding.UTF8.GetBytes(text);
        return Check(json, objectOnly) is { } problem ? ItemRead.Problem("PAYLOAD_INVALID", problem) : new ItemRead(json);
    }

    /// <summary>Null when <paramref name="json"/> is one well-formed JSON value (an object if asked); otherwise what is wrong.</summary>
    internal static string? Check(byte[] json, bool objectOnly)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read()) return "The payload is not JSON.";
            if (objectOnly && reader.TokenType != JsonTokenType.StartObject) return "The payload is not a JSON object ({…}).";
            reader.Skip();
            if (reader.Read()) return "The payload holds more than one JSON value.";
            return null;
        }
        catch (JsonException ex)
        {
            return $"The payload is not valid JSON: {ex.Message}";
        }
    }
}
