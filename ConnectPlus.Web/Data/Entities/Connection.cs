namespace ConnectPlus.Web.Data;

/// <summary>
/// A named connection of a workspace (SFTP server, S3 bucket, Capillary account…). Settings the
/// connection type marks secret are never stored in <see cref="Settings"/>: they are encrypted with
/// ASP.NET Data Protection into <see cref="ProtectedSecrets"/>. Read and write connections through
/// <see cref="Features.Connections.ConnectionService"/>, which does the splitting and masking.
/// </summary>
public sealed class Connection : IConcurrencyStamped
{
    public int Id { get; set; }

    public int WorkspaceId { get; set; }

    public Workspace Workspace { get; set; } = null!;

    /// <summary>The name dataflows use; unique in its workspace, ignoring case.</summary>
    public required string Name
    {
        get;
        set
        {
            field = value;
            NormalizedName = Names.Normalize(value);
        }
    }

    public string NormalizedName { get; private set; } = "";

    /// <summary>Connection type key from the connection catalog, e.g. <c>sftp</c>.</summary>
    public required string Type { get; set; }

    public string? Description { get; set; }

    /// <summary>The settings that are not secret, as a JSON object.</summary>
    public string Settings { get; set; } = "{}";

    /// <summary>The secret settings as a JSON object, encrypted (Data Protection payload); null when there are none.</summary>
    public string? ProtectedSecrets { get; set; }

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset Updated { get; set; }

    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();
}
