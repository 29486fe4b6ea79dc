using System.Text.Json.Nodes;

namespace ConnectPlus.Engine.Connectors;

/// <summary>
/// A named connection (an SFTP server, an S3 bucket, a Capillary API account…) as a block sees it:
/// its type key from the <see cref="ConnectionCatalog"/> and its settings, secrets included. Dataflows
/// refer to connections by name only; the host stores them (secrets encrypted) and hands them to the
/// engine through <see cref="IConnectionProvider"/>. Never log or serialize a definition's settings.
/// </summary>
public sealed record ConnectionDefinition
{
    /// <summary>The name dataflows use, e.g. <c>brand-sftp</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Connection type key, e.g. <c>sftp</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Settings of the connection type, secrets included (in memory only).</summary>
    public JsonObject Settings { get; init; } = [];

    public override string ToString() => $"{Type} connection '{Name}'";
}

/// <summary>Resolves connection names for a run. Supplied by the host through <c>RunOptions.Services</c>.</summary>
public interface IConnectionProvider
{
    /// <summary>The connection with this name; throws <see cref="ConnectionException"/> (<see cref="ConnectionFailure.NotFound"/>) when there is none.</summary>
    ValueTask<ConnectionDefinition> GetAsync(string name, CancellationToken cancellationToken);
}

/// <summary>Connections held in memory (CLI connection files, tests).</summary>
public sealed class InMemoryConnectionProvider(IEnumerable<ConnectionDefinition> connections) : IConnectionProvider
{
    private readonly Dictionary<string, ConnectionDefinition> _byName =
        connections.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Names of the connections held.</summary>
    public IReadOnlyCollection<string> Names => _byName.Keys;

    public ValueTask<ConnectionDefinition> GetAsync(string name, CancellationToken cancellationToken) =>
        _byName.TryGetValue(name, out var connection)
            ? ValueTask.FromResult(connection)
            : throw new ConnectionException(ConnectionFailure.NotFound,
                $"There is no connection named '{name}'. Known connections: {(_byName.Count == 0 ? "none" : string.Join(", ", _byName.Keys.Order()))}.");
}
