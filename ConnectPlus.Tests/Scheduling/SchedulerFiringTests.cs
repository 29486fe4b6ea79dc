using System.Globalization;
using System.Text.Json;
using ConnectPlus.Engine.Model;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using ConnectPlus.Web.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace ConnectPlus.Tests.Scheduling;

/// <summary>What Quartz does with schedules and queued runs in one node (in-memory store, recorders for the run contracts).</summary>
public sealed class SchedulerFiringTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task CronFire_RequestsAScheduledRun_NamedAfterTheSchedule()
    {
        await using var app = new SchedulingWebFactory();
        var dataflow = await SchedulingData.NewDataflowAsync(app.Databases);

        var schedule = await app.Services.GetRequiredService<ScheduleService>().CreateAsync(dataflow.Id, new ScheduleInput { CronExpression = "* * * * * ?" }, default);
        await SchedulingData.EventuallyAsync(() => !app.Requests.Requests.IsEmpty, Patience, "a fire");

        Assert.True(app.Requests.Requests.TryPeek(out var request));
        Assert.Equal(new RunRequest(dataflow.Id, RunTrigger.Schedule, $"Schedule {schedule.Id}: cron * * * * * ? (UTC)"), request);
    }

    [Fact]
    public async Task Fire_WhileARunIsGoing_IsASkip_AndTheScheduleGoesOn()
    {
        await using var app = new SchedulingWebFactory();
        app.Requests.SkipWith = "A run of this dataflow is already running.";
        var dataflow = await SchedulingData.NewDataflowAsync(app.Databases);

        var schedule = await app.Services.GetRequiredService<ScheduleService>().CreateAsync(dataflow.Id, new ScheduleInput { CronExpression = "* * * * * ?" }, default);
        await SchedulingData.EventuallyAsync(() => app.Requests.Requests.Count >= 2, Patience, "two fires");

        var scheduler = await app.SchedulerAsync();
        Assert.Equal(TriggerState.Normal, await scheduler.GetTriggerState(ScheduleTriggers.TriggerKeyOf(schedule.Id)));
    }

    [Fact]
    public async Task Misfire_WhileTheSchedulerIsPaused_GivesExactlyOneCatchUpRun()
    {
        await using var app = new SchedulingWebFactory();
        var dataflow = await SchedulingData.NewDataflowAsync(app.Databases);
        var scheduler = await app.SchedulerAsync();
        await SchedulingData.EventuallyAsync(() => scheduler.Status == SchedulerStatus.Running, Patience, "the scheduler to start");
        await scheduler.Standby();
        // Three fire times (one a second), all missed while the scheduler stands by; the schedule ends after them. They are
        // worked out once it stands by (however long that took), within one minute (the expression cannot wrap one).
        // 5 s on: making the schedule on a busy machine must not outlast its first fire time.
        var first = DateTimeOffset.UtcNow.AddSeconds(5);
        if (first.Second > 57) first = first.AddSeconds(61 - first.Second);
        var cron = string.Create(CultureInfo.InvariantCulture, $"{first.Second}-{first.Second + 2} {first.Minute} {first.Hour} {first.Day} {first.Month} ? {first.Year}");
        await app.Services.GetRequiredService<ScheduleService>().CreateAsync(dataflow.Id, new ScheduleInput { CronExpression = cron }, default);
        var missed = first.AddSeconds(5) - DateTimeOffset.UtcNow;
        if (missed > TimeSpan.Zero) await Task.Delay(missed);
        Assert.True(app.Requests.Requests.IsEmpty);
        await scheduler.Start();
        await SchedulingData.EventuallyAsync(() => !app.Requests.Requests.IsEmpty, Patience, "the catch-up fire");
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Single(app.Requests.Requests);
    }

    [Fact]
    public async Task DispatchedRun_IsExecutedByAQuartzJob_ThatIsThenRemoved()
    {
        await using var app = new SchedulingWebFactory();
        var dispatcher = app.Services.GetRequiredService<IRunDispatcher>();

        await dispatcher.DispatchAsync(42, default);
        var executed = await app.Executor.Started.Task.WaitAsync(Patience);

        Assert.IsType<QuartzRunDispatcher>(dispatcher);
        Assert.Equal(42, executed);
        var scheduler = await app.SchedulerAsync();
        await SchedulingData.EventuallyAsync(() => !scheduler.Exists(RunJob.KeyOf(42)).AsTask().Result, Patience, "the one-off job to go");
        Assert.Empty(app.Recovery.Recovered);
    }

    [Fact]
    public async Task RunJob_AsksForRecovery()
    {
        await using var app = new SchedulingWebFactory();
        app.Executor.HoldUntilCancelled = true;

        await app.Services.GetRequiredService<IRunDispatcher>().DispatchAsync(7, default);
        await app.Executor.Started.Task.WaitAsync(Patience);

        var job = await (await app.SchedulerAsync()).GetJobDetail(RunJob.KeyOf(7));
        Assert.True(job!.RequestsRecovery);
        Assert.Equal("7", job.JobDataMap.GetString(RunJob.RunIdKey));
    }

    [Fact]
    public async Task HostShutdown_CancelsTheRunningRunsToken()
    {
        var app = new SchedulingWebFactory();
        app.Executor.HoldUntilCancelled = true;
        await app.Services.GetRequiredService<IRunDispatcher>().DispatchAsync(9, default);
        await app.Executor.Started.Task.WaitAsync(Patience);

        await app.StopAsync().WaitAsync(Patience);

        Assert.True(await app.Executor.SawCancellation.Task.WaitAsync(Patience));
        await app.DisposeAsync();
    }

    [Fact]
    public async Task FileArrivalSchedule_RequestsARun_OnlyOnceNewFilesAreThere()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp["drop"]);
        var definition = new DataflowDefinition
        {
            Name = "drop",
            Nodes = [new() { Id = "source", Type = "local-folder-source", Settings = JsonSerializer.SerializeToNode(new { folder = temp["drop"], fileNamePattern = @"\.csv$" }, DataflowJson.Options)!.AsObject() }],
        };
        await using var app = new SchedulingWebFactory();
        var dataflow = await SchedulingData.NewDataflowAsync(app.Databases, DataflowJson.Serialize(definition));
        await app.Services.GetRequiredService<ScheduleService>().CreateAsync(dataflow.Id, new ScheduleInput { Kind = ScheduleKind.FileArrival, PollIntervalSeconds = 1 }, default);

        await Task.Delay(TimeSpan.FromSeconds(3));
        var beforeFiles = app.Requests.Requests.Count;
        await File.WriteAllTextAsync(temp["drop/bills.csv"], "id\n1\n");
        await SchedulingData.EventuallyAsync(() => !app.Requests.Requests.IsEmpty, Patience, "a file-arrival run request");

        Assert.Equal(0, beforeFiles);
        Assert.True(app.Requests.Requests.TryPeek(out var request));
        Assert.Equal(RunTrigger.FileArrival, request.Trigger);
        Assert.Equal(dataflow.Id, request.DataflowId);
    }
}
