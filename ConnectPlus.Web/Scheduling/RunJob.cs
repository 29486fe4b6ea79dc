using ConnectPlus.Web.Features.Runs;
using Quartz;

namespace ConnectPlus.Web.Scheduling;

/// <summary>
/// The Quartz job of one queued run (<see cref="QuartzRunDispatcher"/>): executes it on this node. When Quartz
/// fires it again because the node that was running it died (<see cref="IJobExecutionContext.Recovering"/>), it
/// does not execute the cut-off run again: it hands it to <see cref="IRunRecovery"/>, which marks it Interrupted and
/// queues the run that resumes it from its checkpoints.
/// </summary>
internal sealed partial class RunJob(IServiceScopeFactory scopes, ILogger<RunJob> logger) : IJob
{
    /// <summary>The job group of run jobs.</summary>
    public const string Group = "runs";

    /// <summary>The job data key holding the run's id.</summary>
    public const string RunIdKey = "runId";

    public static JobKey KeyOf(long runId) => new($"run-{runId}", Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var runId = long.Parse(context.MergedJobDataMap.GetString(RunIdKey)!, System.Globalization.CultureInfo.InvariantCulture);
        await using var scope = scopes.CreateAsyncScope();
        if (context.Recovering)
        {
            var reason = $"The node running it stopped before it ended; {Environment.MachineName} ({context.Scheduler.SchedulerInstanceId}) recovered it.";
            var next = await scope.ServiceProvider.GetRequiredService<IRunRecovery>().RecoverAsync(runId, reason, cancellationToken);
            if (next is null) NotRecovered(runId);
            else if (next.IsQueued) Recovered(runId, next.RunId!.Value);
            else RecoveredNotResumed(runId, next.SkippedReason);
            return;
        }
        // Host shutdown reaches the run through this token (Scheduling: ShutdownJobInterruption), as does Interrupt.
        await scope.ServiceProvider.GetRequiredService<IRunExecutor>().ExecuteAsync(runId, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} was cut off by the death of its node: marked Interrupted; run {ResumeRunId} resumes it.")]
    private partial void Recovered(long runId, long resumeRunId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} was cut off by the death of its node: marked Interrupted; no run resumes it: {Reason}")]
    private partial void RecoveredNotResumed(long runId, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} came back for recovery, but it had ended, another node recovered it, or its dataflow says not to run it again.")]
    private partial void NotRecovered(long runId);
}
