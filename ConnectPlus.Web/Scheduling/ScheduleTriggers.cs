using System.Globalization;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace ConnectPlus.Web.Scheduling;

/// <summary>
/// Keeps Quartz's triggers in step with the Schedules table: one job and trigger per enabled schedule of an active
/// dataflow, none for the others. With the clustered job store the triggers live in the shared database, so an edit
/// made on one node is what every node fires; with the in-memory store (SQLite) there is one node.
/// </summary>
internal sealed partial class ScheduleTriggers(
    ISchedulerFactory schedulers,
    IDbContextFactory<ConnectPlusDbContext> databases,
    SchedulingSettings settings,
    ILogger<ScheduleTriggers> logger)
{
    /// <summary>The job and trigger group of schedules.</summary>
    public const string Group = "schedules";

    public static JobKey JobKeyOf(int scheduleId) => new($"schedule-{scheduleId}", Group);

    public static TriggerKey TriggerKeyOf(int scheduleId) => new($"schedule-{scheduleId}", Group);

    /// <summary>Brings one schedule's trigger in line with its row (gone, disabled or on an inactive dataflow: no trigger).</summary>
    public async Task SyncAsync(int scheduleId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var schedule = await db.Schedules.AsNoTracking().Include(s => s.Dataflow).SingleOrDefaultAsync(s => s.Id == scheduleId, cancellationToken);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await ApplyAsync(scheduler, scheduleId, schedule, cancellationToken);
    }

    /// <summary>Brings every trigger in line with the table (start-up): schedules added, changed or removed meanwhile.</summary>
    public async Task SyncAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var schedules = await db.Schedules.AsNoTracking().Include(s => s.Dataflow).ToListAsync(cancellationToken);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var known = schedules.Select(s => JobKeyOf(s.Id)).ToHashSet();
        var jobs = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Group), cancellationToken);
        foreach (var orphan in jobs.Where(k => !known.Contains(k)))
            await scheduler.DeleteJob(orphan, cancellationToken);
        foreach (var schedule in schedules)
            await ApplyAsync(scheduler, schedule.Id, schedule, cancellationToken);
        var active = schedules.Count(s => s.IsEnabled && s.Dataflow.IsActive);
        Synced(active, schedules.Count);
    }

    /// <summary>What a schedule's runs say started them.</summary>
    public static string Describe(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var text = schedule.Kind == ScheduleKind.FileArrival
            ? string.Create(CultureInfo.InvariantCulture, $"Schedule {schedule.Id}: file arrival, polled every {schedule.PollIntervalSeconds} s")
            : $"Schedule {schedule.Id}: cron {schedule.CronExpression} ({schedule.TimeZone})";
        return text.Length <= 200 ? text : text[..200];
    }

    private string Signature(Schedule schedule) => schedule.Kind == ScheduleKind.FileArrival
        ? string.Create(CultureInfo.InvariantCulture, $"poll {PollInterval(schedule).TotalSeconds} s")
        : $"cron {schedule.CronExpression} in {schedule.TimeZone}";

    private TimeSpan PollInterval(Schedule schedule) =>
        TimeSpan.FromSeconds(Math.Max(schedule.PollIntervalSeconds ?? settings.MinimumPollIntervalSeconds, settings.MinimumPollIntervalSeconds));

    private async Task ApplyAsync(IScheduler scheduler, int scheduleId, Schedule? schedule, CancellationToken cancellationToken)
    {
        if (schedule is null || !schedule.IsEnabled || !schedule.Dataflow.IsActive)
        {
            await scheduler.DeleteJob(JobKeyOf(scheduleId), cancellationToken);
            return;
        }
        // The trigger's description says what it was built from: an unchanged schedule keeps its trigger (and the
        // fire it may have missed while the nodes were down) instead of starting afresh.
        var signature = Signature(schedule);
        var existing = await scheduler.GetTrigger(TriggerKeyOf(scheduleId), cancellationToken);
        if (existing?.Description == signature) return;
        var job = JobBuilder.Create<ScheduleJob>()
            .WithIdentity(JobKeyOf(scheduleId))
            .WithDescription(Describe(schedule))
            .UsingJobData(ScheduleJob.ScheduleIdKey, scheduleId.ToString(CultureInfo.InvariantCulture))
            .Build();
        var trigger = TriggerBuilder.Create(scheduler.TimeProvider)
            .WithIdentity(TriggerKeyOf(scheduleId))
            .ForJob(job)
            .WithDescription(signature)
            .StartNow();
        trigger = schedule.Kind == ScheduleKind.FileArrival
            // A missed poll is not worth catching up: the next poll sees the same files.
            ? trigger.WithSimpleSchedule(s => s
                .WithInterval(PollInterval(schedule))
                .RepeatForever()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            // A missed fire (nodes down, all slots busy) runs once as soon as it can, then the schedule goes on (docs/scheduling.md).
            : trigger.WithCronSchedule(schedule.CronExpression!, c => c
                .InTimeZone(ScheduleTiming.TimeZoneOf(schedule.TimeZone))
                .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed));
        if (existing is not null)
        {
            await scheduler.ScheduleJob(job, [trigger.Build()], ScheduleJobOptions.Replacing, cancellationToken);
            return;
        }
        try
        {
            // Add only: nodes starting together each find no trigger; the one that stores it first wins. Replacing it
            // here would restart a trigger that may already have fired, and the same fire time would come again.
            await scheduler.ScheduleJob(job, [trigger.Build()], default, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another node stored it between our look and our add: keep it when it was built from the same schedule.
            if ((await scheduler.GetTrigger(TriggerKeyOf(scheduleId), cancellationToken))?.Description == signature) return;
            await scheduler.ScheduleJob(job, [trigger.Build()], ScheduleJobOptions.Replacing, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedules: {Active} of {Total} are active and scheduled in Quartz.")]
    private partial void Synced(int active, int total);
}
