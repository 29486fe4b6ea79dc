namespace ConnectPlus.Web.Data;

/// <summary>A brand or organisation: its dataflows, connections and alert rules live apart from other workspaces'.</summary>
public sealed class Workspace
{
    public int Id { get; set; }

    /// <summary>Unique among workspaces, ignoring case.</summary>
    public required string Name
    {
        get;
        set
        {
            field = value;
            NormalizedName = Names.Normalize(value);
        }
    }

    /// <summary><see cref="Name"/> upper-cased: the unique index, so names are unique ignoring case on every provider.</summary>
    public string NormalizedName { get; private set; } = "";

    public string? Description { get; set; }

    public DateTimeOffset Created { get; set; }

    public List<Dataflow> Dataflows { get; } = [];

    public List<Connection> Connections { get; } = [];
}
