using ConnectPlus.Web.Features.Dataflows;
using System.ComponentModel.DataAnnotations;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Scheduling;

/// <summary>A schedule as a person sets it: a preset with a start time, or raw cron, in a time zone; or file-arrival polling.</summary>
public sealed record ScheduleInput
{
    public ScheduleKind Kind { get; init; } = ScheduleKind.Cron;

    /// <summary>A ready-made timing; null means <see cref="CronExpression"/> is given as it is.</summary>
    public SchedulePreset? Preset { get; init; }

    /// <summary>The preset's start time (its minute for the every-N-minutes presets), in <see cref="TimeZone"/>.</summary>
    public TimeOnly At { get; init; }

    /// <summary>The day of <see cref="SchedulePreset.Weekly"/>.</summary>
    public DayOfWeek Day { get; init; } = DayOfWeek.Monday;

    /// <summary>Quartz cron (seconds minutes hours day-of-month month day-of-week [year]) when no preset is chosen.</summary>
    public string? CronExpression { get; init; }

    /// <summary>IANA time zone the times are read in, e.g. Asia/Kolkata.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Seconds between polls of a file-arrival schedule.</summary>
    public int? PollIntervalSeconds { get; init; }

    public bool IsEnabled { get; init; } = true;

    /// <summary>The cron expression this input stands for (the preset's, or the raw one).</summary>
    public string? Cron => Preset is { } preset ? ScheduleTiming.CronOf(preset, At, Day) : CronExpression?.Trim();
}

/// <summary>
/// Creates, changes, enables, disables and deletes schedules, and keeps Quartz's triggers in step at once: an edit
/// applies without a restart, on every node (the clustered job store shares the triggers).
/// </summary>
public sealed class ScheduleService : IDataflowScheduleSync
{
    private readonly IDbContextFactory<ConnectPlusDbContext> _databases;
    private readonly SchedulingSettings _settings;
    private readonly TimeProvider _time;
    private readonly ScheduleTriggers? _triggers;

    internal ScheduleService(IDbContextFactory<ConnectPlusDbContext> databases, SchedulingSettings settings, TimeProvider time, ScheduleTriggers? triggers)
    {
        _databases = databases;
        _settings = settings;
        _time = time;
        _triggers = triggers;
    }

    /// <summary>What is wrong with an input, each problem with the field it is about; empty when nothing.</summary>
    public IReadOnlyList<ValidationResult> Validate(ScheduleInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var problems = new List<ValidationResult>();
        if (input.Kind == ScheduleKind.FileArrival)
        {
            if (input.PollIntervalSeconds is not { } seconds || seconds < _settings.MinimumPollIntervalSeconds)
                problems.Add(new($"Poll every {_settings.MinimumPollIntervalSeconds} seconds or more (Scheduling:MinimumPollIntervalSeconds).", [nameof(ScheduleInput.PollIntervalSeconds)]));
            return problems;
        }
        if (ScheduleTiming.CronProblem(input.Cron) is { } cron)
            problems.Add(new(cron, [nameof(ScheduleInput.CronExpression)]));
        if (ScheduleTiming.TimeZoneProblem(input.TimeZone) is { } zone)
            problems.Add(new(zone, [nameof(ScheduleInput.TimeZone)]));
        else if (problems.Count == 0 && ScheduleTiming.NextFireTimes(input.Cron!, input.TimeZone, _time.GetUtcNow(), 1).Count == 0)
            problems.Add(new($"The cron expression '{input.Cron}' never fires after now.", [nameof(ScheduleInput.CronExpression)]));
        return problems;
    }

    /// <summary>The next fire times of a cron input, in its time zone, for the UI's preview; empty for file arrival.</summary>
    public IReadOnlyList<DateTimeOffset> Preview(ScheduleInput input, int count = 5)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Kind == ScheduleKind.FileArrival) return [];
        ThrowIfInvalid(input);
        return ScheduleTiming.NextFireTimes(input.Cron!, input.TimeZone, _time.GetUtcNow(), count);
    }

    public async Task<IReadOnlyList<Schedule>> ListAsync(int dataflowId, CancellationToken cancellationToken)
    {
        await using var db = await _databases.CreateDbContextAsync(cancellationToken);
        return await db.Schedules.AsNoTracking().Where(s => s.DataflowId == dataflowId).OrderBy(s => s.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Adds a schedule to a dataflow; throws <see cref="ValidationException"/> naming the field when the input is wrong.</summary>
    public async Task<Schedule> CreateAsync(int dataflowId, ScheduleInput input, CancellationToken cancellationToken)
    {
        ThrowIfInvalid(input);
        var now = _time.GetUtcNow();
        var schedule = new Schedule { DataflowId = dataflowId, Created = now };
        Apply(schedule, input, now);
        await using (var db = await _databases.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.Dataflows.AnyAsync(d => d.Id == dataflowId, cancellationToken))
                throw new KeyNotFoundException($"There is no dataflow {dataflowId}.");
            db.Schedules.Add(schedule);
            await db.SaveChangesAsync(cancellationToken);
        }
        await SyncAsync(schedule.Id, cancellationToken);
        return schedule;
    }

    /// <summary>Changes a schedule (it applies at once, without a restart).</summary>
    public Task<Schedule> UpdateAsync(int scheduleId, ScheduleInput input, CancellationToken cancellationToken)
    {
        ThrowIfInvalid(input);
        return ChangeAsync(scheduleId, s => Apply(s, input, _time.GetUtcNow()), cancellationToken);
    }

    public Task<Schedule> EnableAsync(int scheduleId, CancellationToken cancellationToken) => SetEnabledAsync(scheduleId, true, cancellationToken);

    public Task<Schedule> DisableAsync(int scheduleId, CancellationToken cancellationToken) => SetEnabledAsync(scheduleId, false, cancellationToken);

    /// <summary>Deletes a schedule and its trigger; false when there was none.</summary>
    public async Task<bool> DeleteAsync(int scheduleId, CancellationToken cancellationToken)
    {
        int deleted;
        await using (var db = await _databases.CreateDbContextAsync(cancellationToken))
            deleted = await db.Schedules.Where(s => s.Id == scheduleId).ExecuteDeleteAsync(cancellationToken);
        await SyncAsync(scheduleId, cancellationToken);
        return deleted > 0;
    }

    /// <summary>Brings the triggers of a dataflow's schedules in line (call it after the dataflow is made active or inactive, or deleted).</summary>
    public async Task SyncDataflowAsync(int dataflowId, CancellationToken cancellationToken)
    {
        foreach (var schedule in await ListAsync(dataflowId, cancellationToken))
            await SyncAsync(schedule.Id, cancellationToken);
    }

    private Task<Schedule> SetEnabledAsync(int scheduleId, bool enabled, CancellationToken cancellationToken) =>
        ChangeAsync(scheduleId, s =>
        {
            s.IsEnabled = enabled;
            s.Updated = _time.GetUtcNow();
        }, cancellationToken);

    private async Task<Schedule> ChangeAsync(int scheduleId, Action<Schedule> change, CancellationToken cancellationToken)
    {
        Schedule schedule;
        await using (var db = await _databases.CreateDbContextAsync(cancellationToken))
        {
            schedule = await db.Schedules.SingleOrDefaultAsync(s => s.Id == scheduleId, cancellationToken)
                ?? throw new KeyNotFoundException($"There is no schedule {scheduleId}.");
            change(schedule);
            await db.SaveChangesAsync(cancellationToken);
        }
        await SyncAsync(scheduleId, cancellationToken);
        return schedule;
    }

    private static void Apply(Schedule schedule, ScheduleInput input, DateTimeOffset now)
    {
        schedule.Kind = input.Kind;
        schedule.CronExpression = input.Kind == ScheduleKind.Cron ? input.Cron : null;
        schedule.TimeZone = input.Kind == ScheduleKind.Cron ? input.TimeZone : "UTC";
        schedule.PollIntervalSeconds = input.Kind == ScheduleKind.FileArrival ? input.PollIntervalSeconds : null;
        schedule.IsEnabled = input.IsEnabled;
        schedule.Updated = now;
    }

    private void ThrowIfInvalid(ScheduleInput input)
    {
        var problems = Validate(input);
        if (problems.Count > 0) throw new ValidationException(problems[0], null, input);
    }

    /// <inheritdoc/>
    public async Task SchedulesChangedAsync(IReadOnlyCollection<int> scheduleIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduleIds);
        foreach (var id in scheduleIds) await SyncAsync(id, cancellationToken);
    }

    private Task SyncAsync(int scheduleId, CancellationToken cancellationToken) =>
        _triggers?.SyncAsync(scheduleId, cancellationToken) ?? Task.CompletedTask;
}
