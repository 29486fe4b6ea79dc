namespace ConnectPlus.Engine.Catalog;

/// <summary>What flows through a port: files or record batches. A link only joins ports of the same kind.</summary>
public enum PortKind
{
    /// <summary>Files (<see cref="Data.FileItem"/>).</summary>
    Files,
    /// <summary>Rows (<see cref="Data.RecordBatch"/>).</summary>
    Records,
}

/// <summary>Palette group of a block.</summary>
public enum BlockCategory
{
    Sources,
    Files,
    Parse,
    Transform,
    Outputs,
    Destinations,
}

/// <summary>Which control the property panel shows for a setting.</summary>
public enum EditorHint
{
    Text,
    MultilineText,
    Number,
    Checkbox,
    Select,
    Password,
    Regex,
    FolderPath,
    Formula,
    ColumnList,
    ColumnMapping,
    KeyValueList,
    Json,
    Table,
    /// <summary>Picks a named connection of the types in <see cref="SettingAttribute.ConnectionTypes"/>.</summary>
    Connection,
}

/// <summary>Marks a class as a block of the catalog. The class's <c>///</c> summary is its description.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BlockAttribute(string type, int version, string name, BlockCategory category) : Attribute
{
    /// <summary>Stable type key used in dataflow JSON, e.g. <c>read-csv</c>.</summary>
    public string Type { get; } = type;

    /// <summary>Version of the block's settings format.</summary>
    public int Version { get; } = version;

    /// <summary>Display name in the palette.</summary>
    public string Name { get; } = name;

    /// <summary>Palette group.</summary>
    public BlockCategory Category { get; } = category;

    /// <summary>Material icon name for the palette and canvas.</summary>
    public string Icon { get; init; } = "widgets";
}

/// <summary>Declares an input port on a block.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute(string name, PortKind kind) : Attribute
{
    public string Name { get; } = name;
    public PortKind Kind { get; } = kind;

    /// <summary>Whether the dataflow is invalid while this input is not connected.</summary>
    public bool Required { get; init; } = true;

    /// <summary>Caption on the canvas; defaults to the name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>What the port expects.</summary>
    public string? Description { get; init; }
}

/// <summary>Declares an output port on a block.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class OutputAttribute(string name, PortKind kind) : Attribute
{
    public string Name { get; } = name;
    public PortKind Kind { get; } = kind;

    /// <summary>True for the port that carries rejected rows (with the error columns added).</summary>
    public bool Rejected { get; init; }

    /// <summary>Caption on the canvas; defaults to the name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>What the port produces.</summary>
    public string? Description { get; init; }
}

/// <summary>Describes how a settings property is edited. Help text comes from the property's <c>///</c> summary.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class SettingAttribute : Attribute
{
    /// <summary>Position in the property panel (ascending).</summary>
    public int Order { get; init; }

    /// <summary>Group (section) in the property panel.</summary>
    public string Group { get; init; } = "General";

    /// <summary>Editor control; defaults from the property type when not set.</summary>
    public EditorHint Editor { get; init; } = (EditorHint)(-1);

    /// <summary>Label in the property panel; defaults to the property name in words.</summary>
    public string? DisplayName { get; init; }

    /// <summary>A secret (password, key): encrypted at rest, never logged or sent to the browser.</summary>
    public bool Secret { get; init; }

    /// <summary>Allowed values for a select editor (enums list theirs automatically).</summary>
    public string[]? Options { get; init; }

    /// <summary>Example shown in an empty editor.</summary>
    public string? Placeholder { get; init; }

    /// <summary>For <see cref="EditorHint.Connection"/>: the connection type keys accepted (e.g. sftp, ftp, s3, local).</summary>
    public string[]? ConnectionTypes { get; init; }
}
