using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ConnectPlus.Engine.Model;

/// <summary>Reads and writes <see cref="DataflowDefinition"/> JSON: camelCase, indented, stable order.</summary>
public static class DataflowJson
{
    /// <summary>Options used for dataflow files and for block settings.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Serializes a dataflow to JSON text.</summary>
    public static string Serialize(DataflowDefinition dataflow) => JsonSerializer.Serialize(dataflow, Options);

    /// <summary>Parses dataflow JSON; throws <see cref="DataflowFormatException"/> with the reason.</summary>
    public static DataflowDefinition Deserialize(string json, string? sourceName = null)
    {
        var where = sourceName is null ? "dataflow JSON" : $"dataflow file '{sourceName}'";
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new DataflowFormatException($"The {where} is not valid JSON: {ex.Message}", ex);
        }

        if (root is not JsonObject obj)
            throw new DataflowFormatException($"The {where} must be a JSON object with 'formatVersion', 'nodes' and 'edges'.");
        var version = obj["formatVersion"]?.GetValue<int>() ?? 0;
        if (version < 1 || version > DataflowDefinition.CurrentFormatVersion)
            throw new DataflowFormatException(
                $"The {where} has formatVersion {version}; this Connect+ reads versions 1 to {DataflowDefinition.CurrentFormatVersion}.");
        try
        {
            return obj.Deserialize<DataflowDefinition>(Options)
                ?? throw new DataflowFormatException($"The {where} is empty.");
        }
        catch (JsonException ex)
        {
            throw new DataflowFormatException($"The {where} is malformed at {ex.Path}: {ex.Message}", ex);
        }
    }

    /// <summary>Loads a dataflow from a file.</summary>
    public static async Task<DataflowDefinition> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataflowFormatException($"Cannot read dataflow file '{path}': {ex.Message}", ex);
        }
        return Deserialize(text, path);
    }
}

/// <summary>The dataflow JSON could not be read.</summary>
public sealed class DataflowFormatException : Exception
{
    public DataflowFormatException() { }
    public DataflowFormatException(string message) : base(message) { }
    public DataflowFormatException(string message, Exception inner) : base(message, inner) { }
}
