using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;

namespace ConnectPlus.Web.Features.Dataflows;

/// <summary>A block setting that names a connection: the definition refers to connections by name, never by secret.</summary>
/// <param name="NodeId">The block.</param>
/// <param name="Setting">The setting's JSON name, e.g. <c>connection</c>.</param>
/// <param name="Name">The connection name written in the setting.</param>
/// <param name="AcceptedTypes">The connection types the setting takes (empty: any).</param>
public sealed record ConnectionReference(string NodeId, string Setting, string Name, IReadOnlyList<string> AcceptedTypes);

/// <summary>Finds the connections a definition uses, from the catalog's setting descriptors (<see cref="EditorHint.Connection"/>).</summary>
public static class ConnectionReferences
{
    /// <summary>
    /// Every non-empty connection setting of the definition's known blocks. Unknown blocks are left to the
    /// validator, which reports them.
    /// </summary>
    public static IReadOnlyList<ConnectionReference> Find(DataflowDefinition definition, BlockCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(catalog);
        var found = new List<ConnectionReference>();
        foreach (var node in definition.Nodes)
        {
            var descriptor = catalog.Find(node.Type);
            if (descriptor is null) continue;
            foreach (var setting in descriptor.Settings.Where(s => s.Editor == EditorHint.Connection))
            {
                var value = node.Settings.FirstOrDefault(p => string.Equals(p.Key, setting.Name, StringComparison.OrdinalIgnoreCase)).Value;
                if (value is not System.Text.Json.Nodes.JsonValue text || !text.TryGetValue<string>(out var name) || string.IsNullOrWhiteSpace(name)) continue;
                found.Add(new ConnectionReference(node.Id, setting.Name, name.Trim(), setting.ConnectionTypes ?? []));
            }
        }
        return found;
    }
}
