using System.Text.Json.Nodes;

namespace ConnectPlus.Web.Features.Connections;

/// <summary>
/// A connection as the browser may see it: secret settings that are set show <see cref="ConnectionService.SecretMask"/>,
/// never their value.
/// </summary>
public sealed record ConnectionView
{
    public required int Id { get; init; }
    public required int WorkspaceId { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public string? Description { get; init; }

    /// <summary>The settings, secrets masked.</summary>
    public required JsonObject Settings { get; init; }

    /// <summary>
    /// The stored secrets cannot be decrypted (the Data Protection keys that encrypted them are gone):
    /// the secrets must be typed again.
    /// </summary>
    public bool SecretsUnreadable { get; init; }

    /// <summary>Send it back with an update: the update fails if someone saved the connection in between.</summary>
    public required Guid ConcurrencyStamp { get; init; }

    public required DateTimeOffset Updated { get; init; }
}

/// <summary>
/// A connection to create or update. For a secret setting, <see cref="ConnectionService.SecretMask"/> means
/// "unchanged"; null, empty or absent clears it.
/// </summary>
public sealed record ConnectionInput
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public string? Description { get; init; }
    public JsonObject Settings { get; init; } = [];

    /// <summary>The stamp of the view the user edited (updates only; null skips the check).</summary>
    public Guid? ConcurrencyStamp { get; init; }
}

/// <summary>The outcome of "test connection": a failed test is an answer, with the reason to act on.</summary>
/// <param name="Ok">Whether the connection works.</param>
/// <param name="Message">What was found: that it works, or why not (never a secret).</param>
public sealed record ConnectionTestResult(bool Ok, string Message);
