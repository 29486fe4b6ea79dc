using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ConnectPlus.Engine.Model;

/// <summary>
/// A dataflow as stored and exchanged: blocks (nodes) with their settings and canvas positions,
/// and the links (edges) between their ports. This is the import/export format; see
/// <see cref="DataflowJson"/> for reading and writing it.
/// </summary>
public sealed record DataflowDefinition
{
    /// <summary>The format version this code writes. Readers refuse newer versions.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Version of the JSON format; lets later releases migrate old files.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Name shown in lists and run logs.</summary>
    public string Name { get; init; } = "";

    /// <summary>What the dataflow is for, in the user's words.</summary>
    public string? Description { get; init; }

    /// <summary>Run-wide options such as error thresholds.</summary>
    public DataflowOptions Options { get; init; } = new();

    /// <summary>The blocks of the dataflow.</summary>
    public List<NodeDefinition> Nodes { get; init; } = [];

    /// <summary>The links between block ports.</summary>
    public List<EdgeDefinition> Edges { get; init; } = [];

    /// <summary>Finds a node by id, or null.</summary>
    public NodeDefinition? FindNode(string id) => Nodes.Find(n => n.Id == id);
}

/// <summary>One block placed on the canvas.</summary>
public sealed record NodeDefinition
{
    /// <summary>Unique id within the dataflow (letters, digits, '-' and '_'); used in edges and in messages.</summary>
    public required string Id { get; init; }

    /// <summary>Block type key from the catalog, e.g. <c>read-csv</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Version of the block type the settings were written for.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Optional caption shown on the canvas instead of the block name.</summary>
    public string? Label { get; init; }

    /// <summary>Position on the canvas.</summary>
    public CanvasPosition? Position { get; init; }

    /// <summary>The block's settings as JSON (property names as in the catalog).</summary>
    public JsonObject Settings { get; init; } = [];
}

/// <summary>Top-left corner of a block on the canvas, in canvas units.</summary>
public sealed record CanvasPosition(double X, double Y);

/// <summary>A link from an output port to an input port, written <c>node:port</c>.</summary>
public sealed record EdgeDefinition
{
    /// <summary>Output end, <c>nodeId:portName</c>.</summary>
    public required string From { get; init; }

    /// <summary>Input end, <c>nodeId:portName</c>.</summary>
    public required string To { get; init; }

    /// <summary>Builds an edge from its two ends.</summary>
    public static EdgeDefinition Link(string fromNode, string fromPort, string toNode, string toPort) =>
        new() { From = $"{fromNode}:{fromPort}", To = $"{toNode}:{toPort}" };

    [JsonIgnore] public PortRef Source => PortRef.Parse(From);
    [JsonIgnore] public PortRef Target => PortRef.Parse(To);
}

/// <summary>A port of a node: <c>node:port</c>.</summary>
public readonly record struct PortRef(string Node, string Port)
{
    /// <summary>Parses <c>node:port</c>; a missing part gives an empty string.</summary>
    public static PortRef Parse(string text)
    {
        var i = text.LastIndexOf(':');
        return i < 0 ? new PortRef(text, "") : new PortRef(text[..i], text[(i + 1)..]);
    }

    public override string ToString() => $"{Node}:{Port}";
}

/// <summary>Options that apply to a whole run of the dataflow.</summary>
public sealed record DataflowOptions
{
    /// <summary>Stop the run when more rows than this have been rejected. Empty: no limit.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>Stop the run when the share of rejected rows (in percent of rows read) crosses this,
    /// checked once at least <see cref="ErrorRateMinimumRows"/> rows were read. Empty: no limit.</summary>
    public double? MaxErrorRatePercent { get; init; }

    /// <summary>Rows to read before the error rate is judged.</summary>
    public int ErrorRateMinimumRows { get; init; } = 1000;
}
