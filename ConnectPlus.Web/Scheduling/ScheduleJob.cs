using System.Globalization;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace ConnectPlus.Web.Scheduling;

/// <summary>
/// The Quartz job of one schedule (<see cref="ScheduleTriggers"/>): when its trigger fires, asks for a run of the
/// dataflow (a file-arrival schedule first checks that new files are there). A run already queued or running makes
/// the request a skip, which is logged, not an error. One fire of a schedule at a time across the cluster.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class ScheduleJob(IServiceScopeFactory scopes, ILogger<ScheduleJob> logger) : IJob
{
    /// <summary>The job data key holding the schedule's id.</summary>
    public const string ScheduleIdKey = "scheduleId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scheduleId = int.Parse(context.MergedJobDataMap.GetString(ScheduleIdKey)!, CultureInfo.InvariantCulture);
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        Schedule? schedule;
        await using (var db = await services.GetRequiredService<IDbContextFactory<ConnectPlusDbContext>>().CreateDbContextAsync(cancellationToken))
            schedule = await db.Schedules.AsNoTracking().Include(s => s.Dataflow).SingleOrDefaultAsync(s => s.Id == scheduleId, cancellationToken);
        if (schedule is null || !schedule.IsEnabled || !schedule.Dataflow.IsActive)
        {
            // Changed since the trigger was set (an edit on a node whose sync has not landed yet): the table wins.
            NotActive(scheduleId);
            await services.GetRequiredService<ScheduleTriggers>().SyncAsync(scheduleId, cancellationToken);
            return;
        }
        var trigger = RunTrigger.Schedule;
        if (schedule.Kind == ScheduleKind.FileArrival)
        {
            var arrival = await services.GetRequiredService<FileArrivalCheck>().CheckAsync(schedule.Dataflow, cancellationToken);
            if (arrival is null || !arrival.HasNewFiles)
            {
                NoNewFiles(scheduleId, schedule.DataflowId, arrival);
                return;
            }
            trigger = RunTrigger.FileArrival;
        }
        var result = await services.GetRequiredService<IRunRequests>()
            .RequestAsync(new RunRequest(schedule.DataflowId, trigger, ScheduleTriggers.Describe(schedule)), cancellationToken);
        var fireTime = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        if (result.IsQueued) Queued(scheduleId, fireTime, schedule.DataflowId, result.RunId!.Value);
        else Skipped(scheduleId, fireTime, schedule.DataflowId, result.SkippedReason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} fired (fire time {FireTime:O}): run {RunId} of dataflow {DataflowId} queued.")]
    private partial void Queued(int scheduleId, DateTimeOffset fireTime, int dataflowId, long runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} fired (fire time {FireTime:O}) but no run of dataflow {DataflowId} was queued: {Reason}")]
    private partial void Skipped(int scheduleId, DateTimeOffset fireTime, int dataflowId, string? reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedule {ScheduleId} polled dataflow {DataflowId}: no new files ({Found}; none: no published version).")]
    private partial void NoNewFiles(int scheduleId, int dataflowId, Engine.Blocks.Sources.FileArrivalResult? found);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} fired but is deleted, disabled or on an inactive dataflow: its trigger is brought in line.")]
    private partial void NotActive(int scheduleId);
}
