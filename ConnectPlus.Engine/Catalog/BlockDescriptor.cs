using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Catalog;

/// <summary>
/// Everything known about a block type, built once from its attributes and <c>///</c> comments.
/// The palette, the property editor, validation and the runtime all read this one description.
/// </summary>
public sealed record BlockDescriptor
{
    public required string Type { get; init; }
    public required int Version { get; init; }
    public required string Name { get; init; }
    public required BlockCategory Category { get; init; }
    public required string Icon { get; init; }
    public required string Description { get; init; }
    public required IReadOnlyList<PortDescriptor> Inputs { get; init; }
    public required IReadOnlyList<PortDescriptor> Outputs { get; init; }
    public required IReadOnlyList<SettingDescriptor> Settings { get; init; }

    /// <summary>The block's implementation class.</summary>
    [JsonIgnore]
    public Type BlockType { get; init; } = null!;

    /// <summary>The block's settings class.</summary>
    [JsonIgnore]
    public Type SettingsType { get; init; } = null!;

    /// <summary>Finds an input port by name.</summary>
    public PortDescriptor? FindInput(string name) => Inputs.FirstOrDefault(p => p.Name == name);

    /// <summary>Finds an output port by name.</summary>
    public PortDescriptor? FindOutput(string name) => Outputs.FirstOrDefault(p => p.Name == name);

    /// <summary>Finds a setting by its JSON name (case-insensitive).</summary>
    public SettingDescriptor? FindSetting(string name) =>
        Settings.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Creates a new block instance (not yet configured).</summary>
    public IBlock CreateBlock() => (IBlock)Activator.CreateInstance(BlockType)!;
}

/// <summary>A typed port of a block.</summary>
public sealed record PortDescriptor(
    string Name,
    PortKind Kind,
    string DisplayName,
    string? Description,
    bool Required,
    bool Rejected);

/// <summary>One setting of a block, as the property panel and the validator see it.</summary>
public sealed record SettingDescriptor
{
    /// <summary>Name in the settings JSON (camelCase).</summary>
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public required string HelpText { get; init; }
    public required EditorHint Editor { get; init; }
    public required string ValueType { get; init; }
    public required int Order { get; init; }
    public required string Group { get; init; }
    public required bool Required { get; init; }
    public required bool Secret { get; init; }
    public IReadOnlyList<string>? Options { get; init; }
    public string? Placeholder { get; init; }
    public JsonNode? Default { get; init; }
    public double? Minimum { get; init; }
    public double? Maximum { get; init; }
    public string? Pattern { get; init; }

    /// <summary>For a connection setting: the connection type keys it accepts.</summary>
    public IReadOnlyList<string>? ConnectionTypes { get; init; }
}
