using System.Text.Json.Nodes;
using ConnectPlus.Web.Features.Connections;
using ConnectPlus.Web.Features.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectPlus.Web.Features.Api;

/// <summary>
/// /api/v1/connections: the workspace's connections by name — list, create, read, update, delete and test them. Every
/// answer shows secrets as <see cref="ConnectionService.SecretMask"/>; sending the mask back keeps the stored secret.
/// </summary>
public static class ConnectionEndpoints
{
    public static RouteGroupBuilder MapConnectionEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/connections").WithTags("Connections");
        group.MapGet("/", ListAsync).WithName("ListConnections")
            .WithSummary("Lists the workspace's connections: names, types and settings, every secret masked. Dataflow definitions refer to them by name.");
        group.MapPost("/", CreateAsync).WithName("CreateConnection")
            .WithSummary("Creates a connection of a type of the connection catalog; its secret settings are stored encrypted and answered masked.")
            .Accepts<CreateConnectionRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{name}", GetAsync).WithName("GetConnection")
            .WithSummary("A connection by name (ignoring case), every secret masked.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{name}", UpdateAsync).WithName("UpdateConnection")
            .WithSummary("Changes a connection (fields left out stay as they are; settings, when given, replace them all, and a secret sent as the mask keeps its stored value). A stale concurrencyStamp gets 409.")
            .Accepts<UpdateConnectionRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{name}", DeleteAsync).WithName("DeleteConnection")
            .WithSummary("Deletes a connection. Dataflows that name it fail to run until a connection of that name exists again.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/test", TestAsync).WithName("TestConnection")
            .WithSummary("Tests a connection as the editor's \"Test connection\" does (signs in to an API; lists, writes, moves and deletes a probe file in a folder). A failed test answers 200 with ok false and the reason.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Ok<IReadOnlyList<ConnectionView>>> ListAsync(ConnectionService connections, CurrentWorkspace workspace, CancellationToken cancellationToken) =>
        TypedResults.Ok(await connections.ListAsync(workspace.RequireId(), cancellationToken));

    private static async Task<Created<ConnectionView>> CreateAsync(HttpRequest request, ConnectionService connections, CurrentWorkspace workspace, CancellationToken cancellationToken)
    {
        var body = (await ApiRequests.ReadJsonAsync<CreateConnectionRequest>(request))!;
        var input = new ConnectionInput { Name = body.Name ?? "", Type = body.Type ?? "", Description = Description(body.Description), Settings = body.Settings ?? [] };
        var created = await connections.CreateAsync(workspace.RequireId(), input, cancellationToken);
        return TypedResults.Created(ApiPaths.Connection(created.Name), created);
    }

    private static async Task<Ok<ConnectionView>> GetAsync(string name, ConnectionService connections, CurrentWorkspace workspace, CancellationToken cancellationToken) =>
        TypedResults.Ok(await FindAsync(name, connections, workspace, cancellationToken));

    private static async Task<Ok<ConnectionView>> UpdateAsync(string name, HttpRequest request, ConnectionService connections, CurrentWorkspace workspace, CancellationToken cancellationToken)
    {
        var body = (await ApiRequests.ReadJsonAsync<UpdateConnectionRequest>(request))!;
        var current = await FindAsync(name, connections, workspace, cancellationToken);
        var input = new ConnectionInput
        {
            Name = body.Name ?? current.Name,
            Type = body.Type ?? current.Type,
            Description = body.Description is null ? current.Description : Description(body.Description),
            // The current settings show each stored secret as the mask, which keeps it.
            Settings = body.Settings ?? current.Settings,
            ConcurrencyStamp = body.ConcurrencyStamp,
        };
        return TypedResults.Ok(await connections.UpdateAsync(current.Id, input, cancellationToken));
    }

    private static async Task<NoContent> DeleteAsync(string name, ConnectionService connections, CurrentWorkspace workspace, CancellationToken cancellationToken)
    {
        var current = await FindAsync(name, connections, workspace, cancellationToken);
        if (!await connections.DeleteAsync(current.Id, cancellationToken)) throw ConnectionNotFoundException.Named(current.Name);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ConnectionTestResult>> TestAsync(string name, ConnectionService connections, CurrentWorkspace workspace, CancellationToken cancellationToken)
    {
        var connection = RouteName(name);
        return TypedResults.Ok(await connections.TestAsync(workspace.RequireId(), connection, cancellationToken)
            ?? throw ConnectionNotFoundException.Named(connection));
    }

    private static async Task<ConnectionView> FindAsync(string name, ConnectionService connections, CurrentWorkspace workspace, CancellationToken cancellationToken)
    {
        var connection = RouteName(name);
        return await connections.FindAsync(workspace.RequireId(), connection, cancellationToken)
            ?? throw ConnectionNotFoundException.Named(connection);
    }

    /// <summary>
    /// The connection name in a route value. The server decodes every escape of the path but %2F (which would change
    /// its segments), so a name with a slash, sent escaped as <see cref="ApiPaths.Connection"/> does, still has it.
    /// </summary>
    private static string RouteName(string value) => value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    /// <summary>"" clears the description.</summary>
    private static string? Description(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>A new connection.</summary>
/// <param name="Name">Unique in the workspace, ignoring case; what dataflows name.</param>
/// <param name="Type">A connection type of the catalog, e.g. <c>local</c>, <c>sftp</c>, <c>s3</c>, <c>capillary</c>, <c>http</c>.</param>
/// <param name="Description">What it is for.</param>
/// <param name="Settings">The type's settings by name (camelCase), secrets in plain text: they are stored encrypted.</param>
public sealed record CreateConnectionRequest(string? Name, string? Type, string? Description, JsonObject? Settings);

/// <summary>A connection update: fields left out (or null) stay as they are; "" clears the description.</summary>
/// <param name="Name">A new name (dataflows that name the old one must be changed too).</param>
/// <param name="Type">A new type; its secrets must then be given again.</param>
/// <param name="Description">What it is for.</param>
/// <param name="Settings">All the settings, replacing the stored ones: a secret sent as the mask keeps its stored value, one left out is cleared.</param>
/// <param name="ConcurrencyStamp">The stamp read with the connection; when given, a connection changed since gets 409.</param>
public sealed record UpdateConnectionRequest(string? Name, string? Type, string? Description, JsonObject? Settings, Guid? ConcurrencyStamp);
