using System.Security.Claims;
using System.Text;
using System.Text.Json;
using ConnectPlus.Web.Features.Dataflows;
using ConnectPlus.Web.Features.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectPlus.Web.Features.Api;

/// <summary>/api/v1/dataflows: the dataflows of the caller's workspace, their versions, publishing, import and export.</summary>
public static class DataflowEndpoints
{
    public static RouteGroupBuilder MapDataflowEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/dataflows").WithTags("Dataflows");
        group.MapGet("/", ListAsync).WithName("ListDataflows")
            .WithSummary("Lists dataflows, filtered by name (part of it), tag and active flag, a page at a time.")
            .ProducesValidationProblem();
        group.MapPost("/", CreateAsync).WithName("CreateDataflow")
            .WithSummary("Creates a dataflow; its first version (the definition given, or an empty one) is a draft.")
            .Accepts<CreateDataflowRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id:int}", GetAsync).WithName("GetDataflow")
            .WithSummary("A dataflow with its versions, newest first.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id:int}", UpdateAsync).WithName("UpdateDataflow")
            .WithSummary("Changes name, description, tags and the active flag (fields left out stay as they are). Send the concurrencyStamp you read: a stale one gets 409.")
            .Accepts<UpdateDataflowRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{id:int}", DeleteAsync).WithName("DeleteDataflow")
            .WithSummary("Deletes a dataflow with its versions, schedules and run history; refused (409) while a run is queued or running.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id:int}/versions", SaveVersionAsync).WithName("SaveDataflowVersion")
            .WithSummary("Saves a definition as the next version, a draft. The answer lists the validator's issues; a version with issues cannot be published.")
            .Accepts<SaveVersionRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:int}/versions/{number:int}/publish", PublishAsync).WithName("PublishDataflowVersion")
            .WithSummary("Publishes a version (schedules run it); the one published before is archived. Refused (400, with the issues) when the version has issues.")
            .Accepts<PublishRequest>(isOptional: true, "application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id:int}/versions/{number:int}/export", ExportAsync).WithName("ExportDataflowVersion")
            .WithSummary("Downloads a version's definition JSON (the import format; connections by name, no secrets).")
            .Produces<string>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/import", ImportAsync).WithName("ImportDataflow")
            .WithSummary("Imports a definition JSON (the body, or an uploaded file field 'file') as a new dataflow or a new version of an existing one. Every connection it names must exist in the workspace.")
            .Accepts<JsonElement>("application/json", "multipart/form-data")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<Ok<Paged<DataflowSummary>>> ListAsync(
        DataflowService dataflows, CurrentWorkspace workspace, string? name, string? tag, bool? active, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var query = new DataflowQuery { Name = name, Tag = tag, IsActive = active, Page = page ?? 1, PageSize = pageSize ?? 50 };
        return TypedResults.Ok(await dataflows.ListAsync(workspace.RequireId(), query, cancellationToken));
    }

    private static async Task<Created<DataflowDetails>> CreateAsync(HttpRequest request, DataflowService dataflows, CurrentWorkspace workspace, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var body = (await ApiRequests.ReadJsonAsync<CreateDataflowRequest>(request))!;
        var input = new DataflowCreate
        {
            Name = body.Name ?? "",
            Description = body.Description,
            Tags = body.Tags ?? [],
            IsActive = body.IsActive ?? true,
            Definition = ApiRequests.Definition(body.Definition),
            Comment = body.Comment,
        };
        var created = await dataflows.CreateAsync(workspace.RequireId(), input, user.ClientName(), cancellationToken);
        return TypedResults.Created($"{ApiPaths.Dataflows}/{created.Dataflow.Id}", created);
    }

    private static async Task<Ok<DataflowDetails>> GetAsync(int id, DataflowService dataflows, CurrentWorkspace workspace, CancellationToken cancellationToken) =>
        TypedResults.Ok(await dataflows.GetAsync(workspace.RequireId(), id, cancellationToken));

    private static async Task<Ok<DataflowSummary>> UpdateAsync(int id, HttpRequest request, DataflowService dataflows, CurrentWorkspace workspace, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var body = (await ApiRequests.ReadJsonAsync<UpdateDataflowRequest>(request))!;
        var stamp = body.ConcurrencyStamp ?? throw new ApiRequestException("Send the concurrencyStamp you read with the dataflow (GET /api/v1/dataflows/{id}).") { Field = "concurrencyStamp" };
        var update = new DataflowUpdate { Name = body.Name, Description = body.Description, Tags = body.Tags, IsActive = body.IsActive, ConcurrencyStamp = stamp };
        return TypedResults.Ok(await dataflows.UpdateAsync(workspace.RequireId(), id, update, user.ClientName(), cancellationToken));
    }

    private static async Task<NoContent> DeleteAsync(int id, DataflowService dataflows, CurrentWorkspace workspace, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        await dataflows.DeleteAsync(workspace.RequireId(), id, user.ClientName(), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Created<SavedDataflowVersion>> SaveVersionAsync(int id, HttpRequest request, DataflowService dataflows, CurrentWorkspace workspace, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var body = (await ApiRequests.ReadJsonAsync<SaveVersionRequest>(request))!;
        var definition = ApiRequests.Definition(body.Definition)
            ?? throw new ApiRequestException("Send the dataflow definition in 'definition' (the export format, see docs/dataflow-format.md).") { Field = "definition" };
        var saved = await dataflows.SaveVersionAsync(workspace.RequireId(), id, definition, body.Comment, user.ClientName(), cancellationToken);
        return TypedResults.Created(ApiPaths.Export(id, saved.Version.Number), saved);
    }

    private static async Task<Ok<DataflowVersionView>> PublishAsync(int id, int number, HttpRequest request, DataflowService dataflows, CurrentWorkspace workspace, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var body = await ApiRequests.ReadJsonAsync<PublishRequest>(request, optional: true);
        return TypedResults.Ok(await dataflows.PublishAsync(workspace.RequireId(), id, number, body?.ConcurrencyStamp, user.ClientName(), cancellationToken));
    }

    private static async Task<FileContentHttpResult> ExportAsync(int id, int number, DataflowService dataflows, CurrentWorkspace workspace, CancellationToken cancellationToken)
    {
        var export = await dataflows.ExportAsync(workspace.RequireId(), id, number, cancellationToken);
        return TypedResults.File(Encoding.UTF8.GetBytes(export.Json), "application/json", export.FileName);
    }

    private static async Task<IResult> ImportAsync(
        HttpRequest request, DataflowService dataflows, CurrentWorkspace workspace, ClaimsPrincipal user,
        int? dataflowId, string? name, string? comment, bool? publish, CancellationToken cancellationToken)
    {
        var (json, source) = await ReadDefinitionAsync(request, cancellationToken);
        var import = new DataflowImport { Json = json, SourceName = source, DataflowId = dataflowId, Name = name, Comment = comment, Publish = publish ?? false };
        var result = await dataflows.ImportAsync(workspace.RequireId(), import, user.ClientName(), cancellationToken);
        var location = $"{ApiPaths.Dataflows}/{result.Saved.DataflowId}";
        return result.Created ? TypedResults.Created(location, result) : TypedResults.Ok(result);
    }

    /// <summary>The definition from an uploaded file (multipart field <c>file</c>, or the only file) or from the body itself.</summary>
    private static async Task<(string Json, string? Source)> ReadDefinitionAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
        {
            var body = await ApiRequests.ReadTextAsync(request.Body, cancellationToken);
            return string.IsNullOrWhiteSpace(body)
                ? throw new ApiRequestException("Send the definition JSON as the body (Content-Type: application/json), or upload it as the form field 'file'.")
                : (body, null);
        }
        var form = await request.ReadFormAsync(cancellationToken);
        var file = form.Files.GetFile("file") ?? (form.Files.Count == 1 ? form.Files[0] : null)
            ?? throw new ApiRequestException("Upload the definition JSON as the form field 'file'.") { Field = "file" };
        await using var stream = file.OpenReadStream();
        return (await ApiRequests.ReadTextAsync(stream, cancellationToken), file.FileName);
    }
}

/// <summary>A new dataflow.</summary>
/// <param name="Name">Unique in the workspace, ignoring case.</param>
/// <param name="Description">What it is for.</param>
/// <param name="Tags">At most 5 short labels.</param>
/// <param name="IsActive">Whether its schedules run it (default true).</param>
/// <param name="Definition">The first version's definition (the export format); empty drawing when absent.</param>
/// <param name="Comment">The first version's comment.</param>
public sealed record CreateDataflowRequest(string? Name, string? Description, List<string>? Tags, bool? IsActive, JsonElement? Definition, string? Comment);

/// <summary>A dataflow update: fields left out (or null) stay as they are; "" clears the description, [] the tags.</summary>
/// <param name="ConcurrencyStamp">The stamp read with the dataflow; required.</param>
public sealed record UpdateDataflowRequest(string? Name, string? Description, List<string>? Tags, bool? IsActive, Guid? ConcurrencyStamp);

/// <summary>A definition to save as the next version.</summary>
/// <param name="Definition">The dataflow definition (the export format, docs/dataflow-format.md).</param>
/// <param name="Comment">Why this version.</param>
public sealed record SaveVersionRequest(JsonElement? Definition, string? Comment);

/// <summary>Publishing a version; the body is optional.</summary>
/// <param name="ConcurrencyStamp">The version's stamp as read; when given, a version changed since gets 409.</param>
public sealed record PublishRequest(Guid? ConcurrencyStamp);
