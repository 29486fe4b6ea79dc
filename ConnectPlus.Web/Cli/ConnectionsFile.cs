using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Model;

namespace ConnectPlus.Web.Cli;

/// <summary>
/// The connections a headless run may use, read from a JSON file given with <c>--connections</c>:
/// <code>{ "connections": [ { "name": "brand-sftp", "type": "sftp", "settings": { "host": "…", "password": "${env:SFTP_PASSWORD}" } } ] }</code>
/// String values may name environment variables as <c>${env:NAME}</c>, so the file need not hold secrets.
/// </summary>
internal static partial class ConnectionsFile
{
    public static async Task<InMemoryConnectionProvider> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken),
                documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ArgumentException($"Cannot read the connections file '{path}': {ex.Message}", ex);
        }
        if (root?["connections"] is not JsonArray list)
            throw new ArgumentException($"The connections file '{path}' must hold {{\"connections\": [ … ]}}.");
        var connections = new List<ConnectionDefinition>();
        foreach (var item in list)
        {
            var name = item?["name"]?.GetValue<string>();
            var type = item?["type"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(type))
                throw new ArgumentException($"Every connection in '{path}' needs a name and a type.");
            var settings = item!["settings"] is JsonObject s ? (JsonObject)s.DeepClone() : [];
            foreach (var (key, value) in settings.ToList())
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var text))
                    settings[key] = ExpandEnvironment(text, name, key);
            }
            connections.Add(new ConnectionDefinition { Name = name, Type = type, Settings = settings });
        }
        foreach (var connection in connections)
        {
            try
            {
                ConnectionCatalog.Default.Bind(connection);
            }
            catch (ConnectionException ex)
            {
                throw new ArgumentException($"{path}: {ex.Message}", ex);
            }
        }
        return new InMemoryConnectionProvider(connections);
    }

    private static string ExpandEnvironment(string text, string connection, string setting) =>
        EnvReference().Replace(text, m => Environment.GetEnvironmentVariable(m.Groups[1].Value)
            ?? throw new ArgumentException($"Connection '{connection}', setting '{setting}' uses ${{env:{m.Groups[1].Value}}}, which is not set."));

    [GeneratedRegex(@"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex EnvReference();

    /// <summary>Used by tests: the options that serialize connection files.</summary>
    internal static JsonSerializerOptions JsonOptions => DataflowJson.Options;
}
