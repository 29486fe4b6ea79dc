using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Dataflows;
using ConnectPlus.Web.Features.Runs;
using ConnectPlus.Web.Features.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectPlus.Web.Features.Api;

/// <summary>
/// /api/v1/runs and /api/v1/dataflows/{id}/runs: start a run (through <see cref="IRunRequests"/>, like every other
/// trigger), follow it, cancel it, download its error file and read its log.
/// </summary>
public static class RunEndpoints
{
    /// <summary>Rejected rows shown with a run (the error file has them all).</summary>
    public const int ErrorSampleSize = 20;

    public static RouteGroupBuilder MapRunEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/dataflows/{id:int}/runs", TriggerAsync).WithTags("Runs").WithName("TriggerRun")
            .WithSummary("Starts a run of the published version (or the version given): 202 with the run's id and Location, or 409 with the reason it was skipped (e.g. a run of the dataflow is already queued or running).")
            .Accepts<TriggerRunRequest>(isOptional: true, "application/json")
            .Produces<RunAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        var runs = api.MapGroup("/runs").WithTags("Runs");
        runs.MapGet("/", ListAsync).WithName("ListRuns")
            .WithSummary("Lists runs, newest first, filtered by dataflow, status and queue time (from, to: ISO 8601), a page at a time.")
            .ProducesValidationProblem();
        runs.MapGet("/{id:long}", GetAsync).WithName("GetRun")
            .WithSummary("A run: status, trigger, version, times, counts, accuracy, per-block counts and the first rejected rows.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapPost("/{id:long}/cancel", CancelAsync).WithName("CancelRun")
            .WithSummary("Asks a queued or running run to stop (202); 409 when it has already ended.")
            .Produces<RunCancelRequested>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapGet("/{id:long}/errors", ErrorFileAsync).WithName("DownloadRunErrors")
            .WithSummary("Downloads the run's error file (CSV: the rejected rows with error_block, error_code, error_message, source_file, source_line); 404 when it has none.")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapGet("/{id:long}/log", LogAsync).WithName("GetRunLog")
            .WithSummary("The run's log (plain text, one line per entry: time, level, block, message); 404 when it has none.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> TriggerAsync(
        int id, HttpRequest request, DataflowService dataflows, IRunRequests runRequests, CurrentWorkspace workspace, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var body = await ApiRequests.ReadJsonAsync<TriggerRunRequest>(request, optional: true);
        var workspaceId = workspace.RequireId();
        // Both check that the dataflow is one of the caller's workspace (404 otherwise).
        int? versionId = body?.Version is { } number ? await dataflows.FindVersionIdAsync(workspaceId, id, number, cancellationToken) : null;
        if (versionId is null) await dataflows.GetAsync(workspaceId, id, cancellationToken);
        var result = await runRequests.RequestAsync(new RunRequest(id, RunTrigger.Api, user.ClientName(), versionId), cancellationToken);
        if (result.RunId is { } runId)
        {
            var url = ApiPaths.Run(runId);
            return TypedResults.Accepted(url, new RunAccepted(runId, RunStatus.Queued, url));
        }
        var reason = result.SkippedReason ?? "The run was not queued.";
        return result.Kind is RunSkipKind.DataflowNotFound or RunSkipKind.VersionNotFound
            ? ApiProblems.NotFound(reason)
            : ApiProblems.Problem(StatusCodes.Status409Conflict, "Run skipped", reason, new Dictionary<string, object?>
            {
                ["skipKind"] = result.Kind?.ToString(),
                ["activeRunId"] = result.ActiveRunId,
                ["activeRunUrl"] = result.ActiveRunId is { } active ? ApiPaths.Run(active) : null,
            });
    }

    private static async Task<Ok<Paged<RunSummaryView>>> ListAsync(
        RunHistory history, CurrentWorkspace workspace, int? dataflowId, string? status, string? from, string? to, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var (pageNumber, size) = (page ?? 1, pageSize ?? 50);
        if (pageNumber < 1) throw new ApiRequestException("Pages are numbered from 1.") { Field = "page" };
        if (size is < 1 or > DataflowQuery.MaxPageSize) throw new ApiRequestException($"Ask for 1 to {DataflowQuery.MaxPageSize} runs per page.") { Field = "pageSize" };
        var query = new RunQuery
        {
            WorkspaceId = workspace.RequireId(),
            DataflowId = dataflowId,
            Statuses = status is null ? null : [.. status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseStatus)],
            From = ParseTime(from, "from"),
            To = ParseTime(to, "to"),
            Skip = (pageNumber - 1) * size,
            Take = size,
        };
        var runs = await history.ListAsync(query, cancellationToken);
        return TypedResults.Ok(new Paged<RunSummaryView>([.. runs.Runs.Select(ToView)], pageNumber, size, runs.Total));
    }

    private static async Task<IResult> GetAsync(long id, RunHistory history, CurrentWorkspace workspace, CancellationToken cancellationToken)
    {
        var details = await history.GetAsync(id, cancellationToken);
        if (details is null || details.Run.WorkspaceId != workspace.RequireId()) return RunNotFound(id);
        var run = details.Run;
        return TypedResults.Ok(new RunDetailsView
        {
            Run = ToView(run),
            Key = run.Key,
            Node = run.Node,
            ResumeOf = run.ResumeOf,
            DurationSeconds = run.Duration?.TotalSeconds,
            FilesRead = run.FilesRead,
            FilesWritten = run.FilesWritten,
            Error = run.Error,
            FailedNodeId = run.FailedNodeId,
            CancelRequested = run.CancelRequested,
            CancelRequestedBy = run.CancelRequestedBy,
            Blocks = [.. details.Blocks.Select(s => new RunBlockView(s.NodeId, s.BlockType, s.State, s.RowsIn, s.RowsOut, s.FilesIn, s.FilesOut, s.Rejected, s.DurationMilliseconds))],
            ErrorSample = [.. details.Errors.Take(ErrorSampleSize).Select(e => new RunErrorView(e.Sequence, e.NodeId, e.Code, e.Message, e.SourceFile, e.SourceLine, ParseRow(e.Row)))],
            ErrorSampleTotal = details.Errors.Count,
            ErrorFileUrl = run.ErrorFilePath is null ? null : $"{ApiPaths.Run(id)}/errors",
            HasSuccessFile = run.SuccessFilePath is not null,
            LogUrl = $"{ApiPaths.Run(id)}/log",
        });
    }

    private static async Task<IResult> CancelAsync(long id, RunHistory history, IRunRequests runRequests, CurrentWorkspace workspace, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var details = await history.GetAsync(id, cancellationToken);
        if (details is null || details.Run.WorkspaceId != workspace.RequireId()) return RunNotFound(id);
        if (!await runRequests.CancelAsync(id, user.ClientName(), cancellationToken))
        {
            var status = (await history.GetAsync(id, cancellationToken))?.Run.Status ?? details.Run.Status;
            return ApiProblems.Conflict($"Run {id} has already ended ({status}); there is nothing to cancel.");
        }
        return TypedResults.Accepted(ApiPaths.Run(id), new RunCancelRequested(id, true));
    }

    private static async Task<IResult> ErrorFileAsync(long id, RunHistory history, CurrentWorkspace workspace, CancellationToken cancellationToken)
    {
        var details = await history.GetAsync(id, cancellationToken);
        if (details is null || details.Run.WorkspaceId != workspace.RequireId()) return RunNotFound(id);
        if (details.Run.ErrorFilePath is not { } path) return ApiProblems.NotFound($"Run {id} has no error file: it rejected no rows (or has not ended yet).");
        if (!File.Exists(path)) return ApiProblems.NotFound($"The error file of run {id} is gone (removed by run history retention, or the runs folder moved).");
        // Streamed from disk (range requests too): an error file can be large.
        return TypedResults.PhysicalFile(path, "text/csv", $"run-{id}-{Path.GetFileName(path)}", enableRangeProcessing: true);
    }

    private static async Task<IResult> LogAsync(long id, RunHistory history, CurrentWorkspace workspace, CancellationToken cancellationToken)
    {
        var details = await history.GetAsync(id, cancellationToken);
        if (details is null || details.Run.WorkspaceId != workspace.RequireId()) return RunNotFound(id);
        var text = new StringBuilder();
        long previous = 0;
        foreach (var line in details.Log)
        {
            // A bounded log keeps its first and last lines: the gap in the sequence is where lines were dropped.
            if (line.Sequence > previous + 1 && details.LogLinesDropped > 0)
                text.Append(CultureInfo.InvariantCulture, $"… {details.LogLinesDropped} lines not kept …\n");
            previous = line.Sequence;
            text.Append(CultureInfo.InvariantCulture, $"{line.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff}Z {line.Level,-7} {line.NodeId ?? "-"} {line.Message}\n");
        }
        return TypedResults.Text(text.ToString(), "text/plain; charset=utf-8");
    }

    private static IResult RunNotFound(long id) => ApiProblems.NotFound($"There is no run {id} in this workspace.");

    private static RunSummaryView ToView(RunSummary r) => new()
    {
        Id = r.Id,
        DataflowId = r.DataflowId,
        DataflowName = r.Dataflow,
        Version = r.VersionNumber,
        Status = r.Status,
        Trigger = r.Trigger,
        TriggeredBy = r.TriggeredBy,
        Queued = r.Queued,
        Started = r.Started,
        Ended = r.Ended,
        RowsRead = r.RowsRead,
        RowsWritten = r.RowsWritten,
        RowsRejected = r.RowsRejected,
        Accuracy = r.Accuracy,
    };

    private static RunStatus ParseStatus(string status) =>
        Enum.TryParse<RunStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ApiRequestException($"'{status}' is not a run status. Statuses: {string.Join(", ", Enum.GetNames<RunStatus>())}.") { Field = "status" };

    private static DateTimeOffset? ParseTime(string? text, string field) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time
        : throw new ApiRequestException($"'{text}' is not a date and time; use ISO 8601, e.g. 2026-11-27T00:00:00Z.") { Field = field };

    private static JsonObject? ParseRow(string? row) => row is null ? null : JsonNode.Parse(row) as JsonObject;
}
