using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Web.Features.Connections;
using ConnectPlus.Web.Features.Dataflows;
using ConnectPlus.Web.Features.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Features.Api;

/// <summary>
/// The filter every /api/v1 endpoint runs through: sets the scope's workspace from the caller's API key, and turns the
/// services' exceptions into RFC 7807 problem details (400 with per-field errors, 403, 404, 409).
/// </summary>
internal sealed class ApiEndpointFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        try
        {
            var services = http.RequestServices;
            var workspace = services.GetRequiredService<CurrentWorkspace>();
            workspace.Id = await services.GetRequiredService<WorkspaceDirectory>().ResolveAsync(http.User.WorkspaceName(), http.RequestAborted);
            return await next(context);
        }
        catch (Exception ex) when (ApiProblems.From(ex) is { } problem)
        {
            return problem;
        }
    }
}

/// <summary>A request the API cannot read (a body that is not JSON, a query value of the wrong kind).</summary>
public sealed class ApiRequestException : Exception
{
    public ApiRequestException() { }
    public ApiRequestException(string message) : base(message) { }
    public ApiRequestException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The request field concerned, e.g. <c>status</c> or <c>body</c>.</summary>
    public string Field { get; init; } = "body";
}

/// <summary>Problem details for the exceptions of the services behind the API.</summary>
public static class ApiProblems
{
    /// <summary>The problem for an exception a caller can act on; null for the others (they stay 500s).</summary>
    public static IResult? From(Exception exception) => exception switch
    {
        ApiRequestException e => Invalid("The request cannot be read", e.Message, new Dictionary<string, string[]> { [e.Field] = [e.Message] }),
        DataflowFormatException e => Invalid("The dataflow JSON cannot be read", e.Message, new Dictionary<string, string[]> { ["definition"] = [e.Message] }),
        DataflowIssuesException e => Invalid("The dataflow has issues", e.Message, Errors(e.Issues), new Dictionary<string, object?> { ["issues"] = e.Issues }),
        MissingConnectionsException e => Invalid("Connections missing", e.Message, Errors(e.Missing), new Dictionary<string, object?> { ["missingConnections"] = e.Missing }),
        ValidationException e => Invalid("The request is not valid", e.Message, Errors(e)),
        DataflowNotFoundException e => Problem(StatusCodes.Status404NotFound, "Not found", e.Message),
        ConnectionNotFoundException e => Problem(StatusCodes.Status404NotFound, "Not found", e.Message),
        DataflowConflictException e => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message),
        ConnectionConflictException e => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message),
        DbUpdateConcurrencyException => Problem(StatusCodes.Status409Conflict, "Conflict", "It was changed by someone else meanwhile. Read it again, then repeat your change."),
        WorkspaceNotFoundException e => Problem(StatusCodes.Status403Forbidden, "No workspace for this API key", e.Message),
        BadHttpRequestException e => Problem(e.StatusCode, "The request cannot be read", e.Message),
        _ => null,
    };

    public static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    /// <summary>
    /// The key of a validation issue in <c>errors</c>: <c>nodes[id].settings.name</c>, <c>nodes[id].ports.name</c>,
    /// <c>nodes[id]</c>, <c>options.name</c> or <c>dataflow</c>.
    /// </summary>
    public static string IssueKey(ValidationIssue issue)
    {
        ArgumentNullException.ThrowIfNull(issue);
        if (issue.NodeId is null) return issue.Setting is null ? "dataflow" : $"options.{issue.Setting}";
        var key = $"nodes[{issue.NodeId}]";
        if (issue.Port is not null) key += $".ports.{issue.Port}";
        if (issue.Setting is not null) key += $".settings.{issue.Setting}";
        return key;
    }

    private static ValidationProblem Invalid(string title, string detail, IDictionary<string, string[]> errors, IDictionary<string, object?>? extensions = null) =>
        TypedResults.ValidationProblem(errors, detail: detail, title: title, extensions: extensions);

    private static Dictionary<string, string[]> Errors(IEnumerable<ValidationIssue> issues) =>
        issues.GroupBy(IssueKey).ToDictionary(g => g.Key, g => g.Select(i => i.Message).ToArray());

    private static Dictionary<string, string[]> Errors(IEnumerable<MissingConnection> missing) =>
        missing.SelectMany(m => m.UsedBy).GroupBy(r => $"nodes[{r.NodeId}].settings.{r.Setting}")
            .ToDictionary(g => g.Key, g => g.Select(r => $"There is no connection named '{r.Name}' in this workspace.").ToArray());

    private static Dictionary<string, string[]> Errors(ValidationException exception)
    {
        var members = exception.ValidationResult.MemberNames.ToList();
        return members.Count == 0
            ? new Dictionary<string, string[]> { ["request"] = [exception.Message] }
            : members.ToDictionary(m => m, _ => new[] { exception.Message });
    }
}
