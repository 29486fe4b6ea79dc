using ConnectPlus.Engine.Connectors;
using ConnectPlus.Web.Features.Workspaces;

namespace ConnectPlus.Web.Features.Connections;

/// <summary>
/// The engine's <see cref="IConnectionProvider"/> for runs of the web host: resolves a connection name in
/// the scope's workspace (<see cref="CurrentWorkspace"/>) from the database, secrets decrypted.
/// </summary>
public sealed class DatabaseConnectionProvider(ConnectionService connections, CurrentWorkspace workspace) : IConnectionProvider
{
    public async ValueTask<ConnectionDefinition> GetAsync(string name, CancellationToken cancellationToken)
    {
        var workspaceId = workspace.RequireId();
        var connection = await connections.ResolveAsync(workspaceId, name, cancellationToken);
        if (connection is not null) return connection;
        var names = await connections.NamesAsync(workspaceId, cancellationToken);
        throw new ConnectionException(ConnectionFailure.NotFound,
            $"There is no connection named '{name}' in this workspace. Known connections: {(names.Count == 0 ? "none" : string.Join(", ", names))}.");
    }
}
