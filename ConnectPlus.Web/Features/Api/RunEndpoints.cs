using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Dataflows;
using ConnectPlus.Web.Features.Runs;
using ConnectPlus.Web.Features.Workspaces;
using ConnectPlus.Web.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

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

    private static async Task<IResult> TriggerAsync(int id, HttpRequest request, DataflowService dataflows, CurrentWorkspace workspace, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var body = await ApiRequests.ReadJsonAsync<TriggerRunRequest>(request, optional: true);
        var workspaceId = workspace.RequireId();
        int? versionId = body?.Version is { } number ? await dataflows.FindVersionIdAsync(workspaceId, id, number, cancellationToken) : null;
        if (versionId is null) await dataflows.GetAsync(workspaceId, id, cancellationToken);
        var runRequests = request.HttpContext.RequestServices.GetService<IRunRequests>();
        if (runRequests is null)
            return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "Runs are not available", "This Connect+ has no run executor registered.");
        var result = await runRequests.RequestAsync(new RunRequest(id, RunTrigger.Api, user.ClientName(), versionId), cancellationToken);
        if (result.RunId is not { } runId)
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "Run skipped", result.SkippedReason ?? "The run was not queued.",
                new Dictionary<string, object?> { ["skippedReason"] = result.SkippedReason });
        var url = ApiPaths.Run(runId);
        return TypedResults.Accepted(url, new RunAccepted(runId, RunStatus.Queued, url));
    }

    private static async Task<Ok<Paged<RunSummaryView>>> ListAsync(
        ConnectPlusDbContext db, CurrentWorkspace workspace, int? dataflowId, string? status, string? from, string? to, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var (pageNumber, size) = (page ?? 1, pageSize ?? 50);
        if (pageNumber < 1) throw new ApiRequestException("Pages are numbered from 1.") { Field = "page" };
        if (size is < 1 or > DataflowQuery.MaxPageSize) throw new ApiRequestException($"Ask for 1 to {DataflowQuery.MaxPageSize} runs per page.") { Field = "pageSize" };
        var workspaceId = workspace.RequireId();
        var rows = db.Runs.AsNoTracking().Where(r => r.Dataflow.WorkspaceId == workspaceId);
        if (dataflowId is { } dataflow) rows = rows.Where(r => r.DataflowId == dataflow);
        if (status is not null)
        {
            var wanted = ParseStatus(status);
            rows = rows.Where(r => r.Status == wanted);
        }
        if (ParseTime(from, "from") is { } after) rows = rows.Where(r => r.Queued >= after);
        if (ParseTime(to, "to") is { } before) rows = rows.Where(r => r.Queued < before);
        var total = await rows.CountAsync(cancellationToken);
        var items = await Summaries(rows.OrderByDescending(r => r.Queued).ThenByDescending(r => r.Id).Skip((pageNumber - 1) * size).Take(size)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new Paged<RunSummaryView>(items, pageNumber, size, total));
    }

    private static async Task<IResult> GetAsync(long id, ConnectPlusDbContext db, CurrentWorkspace workspace, CancellationToken cancellationToken)
    {
        var workspaceId = workspace.RequireId();
        var run = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id && r.Dataflow.WorkspaceId == workspaceId, cancellationToken);
        if (run is null) return RunNotFound(id);
        var summary = await Summaries(db.Runs.AsNoTracking().Where(r => r.Id == id)).SingleAsync(cancellationToken);
        var blocks = await db.RunBlockStats.AsNoTracking().Where(s => s.RunId == id).OrderBy(s => s.Id)
            .Select(s => new RunBlockView(s.NodeId, s.BlockType, s.State, s.RowsIn, s.RowsOut, s.FilesIn, s.FilesOut, s.Rejected, s.DurationMilliseconds))
            .ToListAsync(cancellationToken);
        var errors = await db.RunErrors.AsNoTracking().Where(e => e.RunId == id).OrderBy(e => e.Sequence).Take(ErrorSampleSize).ToListAsync(cancellationToken);
        var errorTotal = await db.RunErrors.CountAsync(e => e.RunId == id, cancellationToken);
        return TypedResults.Ok(new RunDetailsView
        {
            Run = summary,
            Key = run.Key,
            Node = run.Node,
            FilesRead = run.FilesRead,
            FilesWritten = run.FilesWritten,
            Error = run.Error,
            FailedNodeId = run.FailedNodeId,
            Blocks = blocks,
            ErrorSample = [.. errors.Select(e => new RunErrorView(e.Sequence, e.NodeId, e.Code, e.Message, e.SourceFile, e.SourceLine, ParseRow(e.Row)))],
            ErrorSampleTotal = errorTotal,
            ErrorFileUrl = run.ErrorFilePath is null ? null : $"{ApiPaths.Run(id)}/errors",
            LogUrl = $"{ApiPaths.Run(id)}/log",
        });
    }

    private static async Task<IResult> CancelAsync(long id, HttpContext context, ConnectPlusDbContext db, CurrentWorkspace workspace, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var workspaceId = workspace.RequireId();
        var status = await db.Runs.Where(r => r.Id == id && r.Dataflow.WorkspaceId == workspaceId).Select(r => (RunStatus?)r.Status).SingleOrDefaultAsync(cancellationToken);
        if (status is null) return RunNotFound(id);
        var runRequests = context.RequestServices.GetService<IRunRequests>();
        if (runRequests is null)
            return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "Runs are not available", "This Connect+ has no run executor registered.");
        if (!await runRequests.CancelAsync(id, user.ClientName(), cancellationToken))
            return ApiProblems.Conflict($"Run {id} has already ended ({status}); there is nothing to cancel.");
        return TypedResults.Accepted(ApiPaths.Run(id), new RunCancelRequested(id, true));
    }

    private static async Task<IResult> ErrorFileAsync(long id, ConnectPlusDbContext db, CurrentWorkspace workspace, EngineSettings engine, CancellationToken cancellationToken)
    {
        var workspaceId = workspace.RequireId();
        var run = await db.Runs.AsNoTracking().Where(r => r.Id == id && r.Dataflow.WorkspaceId == workspaceId).Select(r => new { r.Key, r.ErrorFilePath }).SingleOrDefaultAsync(cancellationToken);
        if (run is null) return RunNotFound(id);
        if (run.ErrorFilePath is null) return ApiProblems.NotFound($"Run {id} has no error file: it rejected no rows (or has not ended yet).");
        var path = Path.IsPathRooted(run.ErrorFilePath) ? run.ErrorFilePath : Path.Combine(Path.GetFullPath(engine.RunsFolder), run.ErrorFilePath);
        if (!File.Exists(path)) return ApiProblems.NotFound($"The error file of run {id} is gone (removed by run history cleanup, or the runs folder moved).");
        return TypedResults.PhysicalFile(path, "text/csv", $"run-{id}-{Path.GetFileName(path)}", enableRangeProcessing: true);
    }

    private static async Task<IResult> LogAsync(long id, ConnectPlusDbContext db, CurrentWorkspace workspace, EngineSettings engine, CancellationToken cancellationToken)
    {
        var workspaceId = workspace.RequireId();
        var key = await db.Runs.AsNoTracking().Where(r => r.Id == id && r.Dataflow.WorkspaceId == workspaceId).Select(r => r.Key).SingleOrDefaultAsync(cancellationToken);
        if (key is null) return RunNotFound(id);
        var path = Path.Combine(Path.GetFullPath(engine.RunsFolder), key, "run.log");
        if (!File.Exists(path)) return ApiProblems.NotFound($"Run {id} has no log (yet).");
        return TypedResults.PhysicalFile(path, "text/plain; charset=utf-8", $"run-{id}.log");
    }

    private static IResult RunNotFound(long id) => ApiProblems.NotFound($"There is no run {id} in this workspace.");

    private static IQueryable<RunSummaryView> Summaries(IQueryable<Run> runs) => runs.Select(r => new RunSummaryView
    {
        Id = r.Id,
        DataflowId = r.DataflowId,
        DataflowName = r.Dataflow.Name,
        Version = r.DataflowVersion.Number,
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
    });

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
