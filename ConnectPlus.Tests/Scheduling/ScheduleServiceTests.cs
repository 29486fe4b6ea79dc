using ConnectPlus.Web.Features.Dataflows;
using System.ComponentModel.DataAnnotations;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace ConnectPlus.Tests.Scheduling;

/// <summary>Schedule edits reach Quartz at once (in-memory store, SQLite database).</summary>
public sealed class ScheduleServiceTests : IAsyncLifetime
{
    private readonly SchedulingWebFactory _app = new();
    private ScheduleService _service = null!;
    private IScheduler _scheduler = null!;
    private Dataflow _dataflow = null!;

    public async Task InitializeAsync()
    {
        _service = _app.Services.GetRequiredService<ScheduleService>();
        _scheduler = await _app.SchedulerAsync();
        _dataflow = await SchedulingData.NewDataflowAsync(_app.Databases);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task CreateAsync_SchedulesACronTrigger_InTheScheduleTimeZone()
    {
        var schedule = await _service.CreateAsync(_dataflow.Id, new ScheduleInput { Preset = SchedulePreset.Daily, At = new TimeOnly(6, 0), TimeZone = "Asia/Kolkata" }, default);

        var trigger = Assert.IsAssignableFrom<ICronTrigger>(await _scheduler.GetTrigger(ScheduleTriggers.TriggerKeyOf(schedule.Id)));
        Assert.Equal("0 0 6 * * ?", trigger.CronExpressionString);
        Assert.Equal("India Standard Time", TimeZoneInfo.TryConvertIanaIdToWindowsId(trigger.TimeZone.Id, out var windows) ? windows : trigger.TimeZone.Id);
        Assert.Equal("0 0 6 * * ?", schedule.CronExpression);
    }

    [Fact]
    public async Task UpdateAsync_ReplacesTheTrigger_WithoutARestart()
    {
        var schedule = await _service.CreateAsync(_dataflow.Id, new ScheduleInput { Preset = SchedulePreset.Hourly }, default);

        await _service.UpdateAsync(schedule.Id, new ScheduleInput { CronExpression = "0 0/5 * * * ?", TimeZone = "Europe/London" }, default);

        var trigger = Assert.IsAssignableFrom<ICronTrigger>(await _scheduler.GetTrigger(ScheduleTriggers.TriggerKeyOf(schedule.Id)));
        Assert.Equal("0 0/5 * * * ?", trigger.CronExpressionString);
    }

    [Fact]
    public async Task DisableAsync_RemovesTheTrigger_AndEnableAsync_PutsItBack()
    {
        var schedule = await _service.CreateAsync(_dataflow.Id, new ScheduleInput { Preset = SchedulePreset.Every15Minutes }, default);

        await _service.DisableAsync(schedule.Id, default);
        var whileDisabled = await _scheduler.Exists(ScheduleTriggers.TriggerKeyOf(schedule.Id));
        await _service.EnableAsync(schedule.Id, default);

        Assert.False(whileDisabled);
        Assert.True(await _scheduler.Exists(ScheduleTriggers.TriggerKeyOf(schedule.Id)));
    }

    [Fact]
    public async Task DeleteAsync_RemovesTheScheduleAndItsJob()
    {
        var schedule = await _service.CreateAsync(_dataflow.Id, new ScheduleInput { Preset = SchedulePreset.Every30Minutes }, default);

        var deleted = await _service.DeleteAsync(schedule.Id, default);

        Assert.True(deleted);
        Assert.False(await _scheduler.Exists(ScheduleTriggers.JobKeyOf(schedule.Id)));
        Assert.Empty(await _service.ListAsync(_dataflow.Id, default));
    }

    [Fact]
    public async Task CreateAsync_RefusesAnInvalidCron_NamingTheField()
    {
        var ex = await Assert.ThrowsAsync<ValidationException>(() => _service.CreateAsync(_dataflow.Id, new ScheduleInput { CronExpression = "0 75 * * * ?" }, default));

        Assert.Equal([nameof(ScheduleInput.CronExpression)], ex.ValidationResult.MemberNames);
        Assert.StartsWith("The minutes field '75'", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await _service.ListAsync(_dataflow.Id, default));
    }

    [Fact]
    public async Task CreateAsync_RefusesATimeZoneThatIsNotIana()
    {
        var ex = await Assert.ThrowsAsync<ValidationException>(() => _service.CreateAsync(_dataflow.Id, new ScheduleInput { Preset = SchedulePreset.Daily, TimeZone = "IST" }, default));

        Assert.Equal([nameof(ScheduleInput.TimeZone)], ex.ValidationResult.MemberNames);
    }

    [Fact]
    public async Task CreateAsync_RefusesAPollIntervalBelowTheMinimum()
    {
        var problems = _service.Validate(new ScheduleInput { Kind = ScheduleKind.FileArrival, PollIntervalSeconds = 0 });

        var problem = Assert.Single(problems);
        Assert.Equal([nameof(ScheduleInput.PollIntervalSeconds)], problem.MemberNames);
        Assert.Contains("Scheduling:MinimumPollIntervalSeconds", problem.ErrorMessage, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ValidationException>(() => _service.CreateAsync(_dataflow.Id, new ScheduleInput { Kind = ScheduleKind.FileArrival }, default));
    }

    [Fact]
    public async Task CreateAsync_SchedulesAPollingTrigger_ForFileArrival()
    {
        var schedule = await _service.CreateAsync(_dataflow.Id, new ScheduleInput { Kind = ScheduleKind.FileArrival, PollIntervalSeconds = 90 }, default);

        var trigger = Assert.IsAssignableFrom<ISimpleTrigger>(await _scheduler.GetTrigger(ScheduleTriggers.TriggerKeyOf(schedule.Id)));
        Assert.Equal(TimeSpan.FromSeconds(90), trigger.RepeatInterval);
        Assert.Null(schedule.CronExpression);
    }

    [Fact]
    public void Preview_GivesTheNextFiveFireTimes()
    {
        var times = _service.Preview(new ScheduleInput { Preset = SchedulePreset.Weekly, Day = DayOfWeek.Friday, At = new TimeOnly(9, 30), TimeZone = "Asia/Kolkata" });

        Assert.Equal(5, times.Count);
        Assert.All(times, t => Assert.Equal((DayOfWeek.Friday, 9, 30), (t.DayOfWeek, t.Hour, t.Minute)));
        Assert.All(times.Zip(times.Skip(1)), p => Assert.Equal(TimeSpan.FromDays(7), p.Second - p.First));
    }

    [Fact]
    public async Task SyncAllAsync_SchedulesEnabledSchedulesOfActiveDataflows_AndDropsTheRest()
    {
        var inactive = await SchedulingData.NewDataflowAsync(_app.Databases, active: false);
        Schedule enabled, disabled, onInactive;
        await using (var db = await _app.Databases.CreateDbContextAsync())
        {
            enabled = new Schedule { DataflowId = _dataflow.Id, CronExpression = "0 0 6 * * ?", Created = SchedulingData.T0, Updated = SchedulingData.T0 };
            disabled = new Schedule { DataflowId = _dataflow.Id, CronExpression = "0 0 7 * * ?", IsEnabled = false, Created = SchedulingData.T0, Updated = SchedulingData.T0 };
            onInactive = new Schedule { DataflowId = inactive.Id, CronExpression = "0 0 8 * * ?", Created = SchedulingData.T0, Updated = SchedulingData.T0 };
            db.Schedules.AddRange(enabled, disabled, onInactive);
            await db.SaveChangesAsync();
        }
        var orphan = JobBuilder.Create<ScheduleJob>().WithIdentity(ScheduleTriggers.JobKeyOf(999_999)).StoreDurably().Build();
        await _scheduler.AddJob(orphan, default, default);

        await _app.Services.GetRequiredService<ScheduleTriggers>().SyncAllAsync(default);

        Assert.True(await _scheduler.Exists(ScheduleTriggers.TriggerKeyOf(enabled.Id)));
        Assert.False(await _scheduler.Exists(ScheduleTriggers.TriggerKeyOf(disabled.Id)));
        Assert.False(await _scheduler.Exists(ScheduleTriggers.TriggerKeyOf(onInactive.Id)));
        Assert.False(await _scheduler.Exists(ScheduleTriggers.JobKeyOf(999_999)));
    }

    [Fact]
    public async Task DataflowService_DeactivatingOrDeletingADataflow_DropsItsTriggersAtOnce_AndActivatingBringsThemBack()
    {
        var schedule = await _service.CreateAsync(_dataflow.Id, new ScheduleInput { Preset = SchedulePreset.Hourly }, default);
        var dataflows = _app.Services.GetRequiredService<DataflowService>();
        var key = ScheduleTriggers.TriggerKeyOf(schedule.Id);
        Assert.True(await _scheduler.Exists(key));

        await dataflows.SetActiveAsync(_dataflow.WorkspaceId, _dataflow.Id, false, null, "tester");
        var whileInactive = await _scheduler.Exists(key);
        await dataflows.SetActiveAsync(_dataflow.WorkspaceId, _dataflow.Id, true, null, "tester");
        var afterActivation = await _scheduler.Exists(key);
        await dataflows.DeleteAsync(_dataflow.WorkspaceId, _dataflow.Id, "tester");

        Assert.False(whileInactive);
        Assert.True(afterActivation);
        Assert.False(await _scheduler.Exists(key));
    }
}
