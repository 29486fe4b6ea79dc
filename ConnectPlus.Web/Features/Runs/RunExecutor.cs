using System.Globalization;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Workspaces;
using ConnectPlus.Web.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>
/// <see cref="IRunExecutor"/>: claims a queued run for this node with a conditional update (Queued → Running:
/// of several nodes handed the same run, one wins), runs its version in the run's workspace with the database's
/// connections, ledger and checkpoints, keeps the run rows current through a <see cref="RunRecorder"/>, and
/// writes the outcome — only while the run is still this node's Running run.
/// </summary>
public sealed partial class RunExecutor(
    IDbContextFactory<ConnectPlusDbContext> databases,
    IServiceScopeFactory scopes,
    DataflowRunner runner,
    BlockCatalog catalog,
    EngineSettings engine,
    RunsSettings settings,
    RunNode node,
    TimeProvider time,
    ILogger<RunExecutor> logger) : IRunExecutor
{
    public async Task ExecuteAsync(long runId, CancellationToken cancellationToken)
    {
        if (!await ClaimAsync(runId, cancellationToken))
        {
            NotQueued(runId, node.Name);
            return;
        }
        Run run;
        await using (var db = databases.CreateDbContext())
        {
            run = await db.Runs.AsNoTracking().Include(r => r.Dataflow).Include(r => r.DataflowVersion).SingleAsync(r => r.Id == runId, CancellationToken.None);
        }
        DataflowDefinition dataflow;
        try
        {
            dataflow = DataflowJson.Deserialize(run.DataflowVersion.Definition, $"version {run.DataflowVersion.Number} of '{run.Dataflow.Name}'");
        }
        catch (DataflowFormatException ex)
        {
            await EndAsync(run, RunStatus.Failed, $"The dataflow's definition cannot be read: {ex.Message} Save the dataflow again in the designer.", null, RunCounters.Empty, null, null);
            return;
        }
        await RunAsync(run, dataflow, cancellationToken);
    }

    private async Task RunAsync(Run run, DataflowDefinition dataflow, CancellationToken cancellationToken)
    {
        var recorder = new RunRecorder(databases, run, dataflow, catalog, node.Name, settings.HeartbeatInterval, time, logger);
        await using var _ = recorder;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, recorder.StopRequested);
        recorder.Start();
        Started(run.Id, run.Dataflow.Name, run.DataflowVersion.Number, node.Name);
        RunResult result;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentWorkspace>().Id = run.Dataflow.WorkspaceId;
            var options = engine.ToRunOptions(scope.ServiceProvider) with { RunId = run.Key };
            result = await runner.RunAsync(dataflow, options, recorder, stop.Token);
            recorder.Complete(result);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The engine reports block failures in its result; this is the host failing around it.
            await recorder.StopAsync();
            Crashed(ex, run.Id);
            if (!recorder.Lost)
                await EndAsync(run, RunStatus.Failed, $"The run stopped on an unexpected error on node {node.Name}: {ex.GetType().Name}: {ex.Message}", null, recorder.Counters(), null, null);
            return;
        }
        await recorder.StopAsync();
        if (recorder.Lost) return;
        if (result.Outcome == RunOutcome.Cancelled && recorder.CancelledBy is null && cancellationToken.IsCancellationRequested)
        {
            // The host is stopping: the run stays Running under this node's name; start-up recovery (here, or
            // another node once the heartbeat is stale) interrupts it and resumes it from its checkpoints.
            StoppedByShutdown(run.Id, node.Name);
            return;
        }
        var (status, error) = Outcome(result, recorder);
        var success = SuccessFile(dataflow, recorder.Delivered);
        await EndAsync(run, status, error, result.FailedNodeId, recorder.Counters(), result.ErrorFile, success);
    }

    private async Task<bool> ClaimAsync(long runId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = databases.CreateDbContext();
        return await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Queued).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, RunStatus.Running)
            .SetProperty(r => r.Node, node.Name)
            .SetProperty(r => r.Started, now)
            .SetProperty(r => r.Heartbeat, now)
            .SetProperty(r => r.ConcurrencyStamp, Guid.NewGuid()), cancellationToken) == 1;
    }

    private (RunStatus Status, string? Error) Outcome(RunResult result, RunRecorder recorder)
    {
        switch (result.Outcome)
        {
            case RunOutcome.Succeeded: return (RunStatus.Succeeded, null);
            case RunOutcome.SucceededWithErrors: return (RunStatus.SucceededWithErrors, null);
            case RunOutcome.Cancelled:
                var when = (recorder.CancelAsked ?? time.GetUtcNow()).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                return (RunStatus.Cancelled, $"Cancelled by {recorder.CancelledBy ?? "someone"} at {when} UTC; what was delivered before stays delivered, and the next run resumes after it.");
            default: return (RunStatus.Failed, result.Error ?? "The run failed without saying why; see its log.");
        }
    }

    /// <summary>
    /// The success file: the first file delivered by a destination fed, through any blocks, by an API sink's
    /// <c>succeeded</c> output (the rows the server took, with its answers).
    /// </summary>
    internal static string? SuccessFile(DataflowDefinition dataflow, IReadOnlyList<DeliveredFile> delivered)
    {
        if (delivered.Count == 0) return null;
        var downstream = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(dataflow.Edges.Where(e => e.Source.Port == "succeeded").Select(e => e.Target.Node));
        while (pending.TryDequeue(out var next))
        {
            if (!downstream.Add(next)) continue;
            foreach (var edge in dataflow.Edges.Where(e => e.Source.Node == next)) pending.Enqueue(edge.Target.Node);
        }
        return delivered.FirstOrDefault(f => downstream.Contains(f.NodeId))?.Where;
    }

    private async Task EndAsync(Run run, RunStatus status, string? error, string? failedNode, RunCounters counters,
        string? errorFile, string? successFile)
    {
        var now = time.GetUtcNow();
        await using var db = databases.CreateDbContext();
        var ended = await db.Runs.Where(r => r.Id == run.Id && r.Status == RunStatus.Running && r.Node == node.Name).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, status)
            .SetProperty(r => r.Ended, now)
            .SetProperty(r => r.Heartbeat, now)
            .SetProperty(r => r.Error, RunRequests.Trim(error, Run.MaxErrorLength))
            .SetProperty(r => r.FailedNodeId, RunRequests.Trim(failedNode, 100))
            .SetProperty(r => r.ErrorFilePath, RunRequests.Trim(errorFile, 1024))
            .SetProperty(r => r.SuccessFilePath, RunRequests.Trim(successFile, 1024))
            .SetProperty(r => r.RowsRead, counters.RowsRead)
            .SetProperty(r => r.RowsWritten, counters.RowsWritten)
            .SetProperty(r => r.RowsRejected, counters.RowsRejected)
            .SetProperty(r => r.FilesRead, counters.FilesRead)
            .SetProperty(r => r.FilesWritten, counters.FilesWritten)
            .SetProperty(r => r.Accuracy, counters.Accuracy)
            .SetProperty(r => r.ConcurrencyStamp, Guid.NewGuid()), CancellationToken.None);
        if (ended == 0) RunTakenAway(run.Id, node.Name);
        else Ended(run.Id, run.Dataflow.Name, status, error);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Run #{RunId} stopped on an unexpected error.")]
    private partial void Crashed(Exception exception, long runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run #{RunId} is not Queued any more (cancelled, or taken by another node): node {Node} leaves it alone.")]
    private partial void NotQueued(long runId, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run #{RunId} of '{Dataflow}' (version {Version}) started on node {Node}.")]
    private partial void Started(long runId, string dataflow, int version, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run #{RunId} of '{Dataflow}' ended {Status}. {Error}")]
    private partial void Ended(long runId, string dataflow, RunStatus status, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run #{RunId} stopped because node {Node} is shutting down; it is resumed from its checkpoints when a node recovers it.")]
    private partial void StoppedByShutdown(long runId, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run #{RunId} ended on node {Node}, but another node had declared it cut off meanwhile: its outcome is not recorded.")]
    private partial void RunTakenAway(long runId, string node);
}
