using System.Globalization;
using ConnectPlus.Tests.Data;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using ConnectPlus.Web.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;

namespace ConnectPlus.Tests.Scheduling;

/// <summary>The clustered ADO.NET job store on a real PostgreSQL database (its tables made by the EF Core migrations).</summary>
public sealed class ClusteredSchedulingTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly PostgreSqlTestDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Migrations_CreateTheQuartzTables_AndTheirDownDropsThem()
    {
        var created = await QuartzTablesAsync();
        await using (var context = _database.Database.CreateDbContext())
        {
            var initial = context.Database.GetMigrations().First();
            await context.GetService<IMigrator>().MigrateAsync(initial);
        }
        var afterDown = await QuartzTablesAsync();
        await _database.Database.MigrateAsync();

        Assert.Equal(15, created.Count);
        Assert.Contains("qrtz_fired_triggers", created);
        Assert.Contains("qrtz_scheduler_state", created);
        Assert.Empty(afterDown);
        Assert.Equal(created, await QuartzTablesAsync());
    }

    [Fact]
    public async Task ClusteredStore_KeepsTriggersInTheDatabase_AndRunsADispatchedRun()
    {
        await using var app = new SchedulingWebFactory(_database.Settings);
        var dataflow = await SchedulingData.NewDataflowAsync(app.Databases);

        var schedule = await app.Services.GetRequiredService<ScheduleService>().CreateAsync(dataflow.Id, new ScheduleInput { Preset = SchedulePreset.Daily, At = new TimeOnly(6, 0) }, default);
        await app.Services.GetRequiredService<IRunDispatcher>().DispatchAsync(5, default);
        var executed = await app.Executor.Started.Task.WaitAsync(Patience);

        var scheduler = await app.SchedulerAsync();
        Assert.True((await scheduler.GetMetadata()).JobStoreClustered);
        Assert.Equal(5, executed);
        Assert.Equal(1, await CountAsync($"select count(*) from qrtz_cron_triggers where trigger_name = 'schedule-{schedule.Id}'"));
    }

    [Fact]
    public async Task Misfire_WhileEveryNodeIsDown_GivesExactlyOneCatchUpRun_WhenOneStarts()
    {
        DateTimeOffset first;
        int dataflowId;
        await using (var before = new SchedulingWebFactory(_database.Settings))
        {
            dataflowId = (await SchedulingData.NewDataflowAsync(before.Databases)).Id;
            // This node takes no fire: on a busy machine, making the schedule and stopping could outlast the 3 s below.
            // (It stands by once started: the hosted service starts it in the background, which would undo an earlier standby.)
            var scheduler = await before.SchedulerAsync();
            await SchedulingData.EventuallyAsync(() => scheduler.Status == SchedulerStatus.Running, Patience, "the scheduler to start");
            await scheduler.Standby();
            // Three fire times a second apart, the schedule ending after them; all pass while no node runs.
            first = DateTimeOffset.UtcNow.AddSeconds(3);
            if (first.Second > 57) first = first.AddSeconds(4);
            var cron = string.Create(CultureInfo.InvariantCulture, $"{first.Second}-{first.Second + 2} {first.Minute} {first.Hour} {first.Day} {first.Month} ? {first.Year}");
            await before.Services.GetRequiredService<ScheduleService>().CreateAsync(dataflowId, new ScheduleInput { CronExpression = cron }, default);
            await before.StopAsync();
            Assert.True(before.Requests.Requests.IsEmpty);
        }
        var sinceFirst = first.AddSeconds(5) - DateTimeOffset.UtcNow;
        if (sinceFirst > TimeSpan.Zero) await Task.Delay(sinceFirst);

        await using var after = new SchedulingWebFactory(_database.Settings);
        _ = after.Services;
        await SchedulingData.EventuallyAsync(() => !after.Requests.Requests.IsEmpty, Patience, "the catch-up fire");
        await Task.Delay(TimeSpan.FromSeconds(4));

        var request = Assert.Single(after.Requests.Requests);
        Assert.Equal(dataflowId, request.DataflowId);
        Assert.Equal(RunTrigger.Schedule, request.Trigger);
    }

    private async Task<List<string>> QuartzTablesAsync()
    {
        await using var connection = new NpgsqlConnection(_database.Settings.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = 'public' and table_name like 'qrtz%' order by 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.Settings.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
