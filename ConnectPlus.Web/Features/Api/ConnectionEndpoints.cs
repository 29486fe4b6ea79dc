using ConnectPlus.Web.Features.Connections;
using ConnectPlus.Web.Features.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectPlus.Web.Features.Api;

/// <summary>/api/v1/connections: the workspace's connections, secrets masked (what an import can refer to).</summary>
public static class ConnectionEndpoints
{
    public static RouteGroupBuilder MapConnectionEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/connections", ListAsync).WithTags("Connections").WithName("ListConnections")
            .WithSummary("Lists the workspace's connections: names, types and settings, every secret masked. Dataflow definitions refer to them by name.");
        return api;
    }

    private static async Task<Ok<IReadOnlyList<ConnectionView>>> ListAsync(ConnectionService connections, CurrentWorkspace workspace, CancellationToken cancellationToken) =>
        TypedResults.Ok(await connections.ListAsync(workspace.RequireId(), cancellationToken));
}
