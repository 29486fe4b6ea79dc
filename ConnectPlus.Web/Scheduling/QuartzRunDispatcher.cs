using System.Globalization;
using ConnectPlus.Web.Features.Runs;
using Quartz;

namespace ConnectPlus.Web.Scheduling;

/// <summary>
/// Hands a queued run to Quartz as a one-off job that asks for recovery: with the clustered job store any node
/// with a free slot takes it, and when that node dies another fires it again as a recovery (<see cref="RunJob"/>).
/// The job and its trigger are removed by Quartz once the run has ended.
/// </summary>
internal sealed class QuartzRunDispatcher(ISchedulerFactory schedulers) : IRunDispatcher
{
    public async Task DispatchAsync(long runId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<RunJob>()
            .WithIdentity(RunJob.KeyOf(runId))
            .WithDescription($"Run {runId}")
            .UsingJobData(RunJob.RunIdKey, runId.ToString(CultureInfo.InvariantCulture))
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create(scheduler.TimeProvider)
            .WithIdentity($"run-{runId}", RunJob.Group)
            .ForJob(job)
            .StartNow()
            // A run queued while every node was down (or busy past the misfire threshold) still runs, once, as soon as it can.
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(job, trigger, default, cancellationToken);
    }
}
