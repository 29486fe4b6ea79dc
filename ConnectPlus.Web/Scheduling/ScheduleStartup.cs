namespace ConnectPlus.Web.Scheduling;

/// <summary>
/// Start-up step: brings Quartz's schedule triggers in line with the Schedules table (after the database is
/// migrated, before Quartz starts firing). Unchanged triggers are left as they are, so a fire missed while every node
/// was down is still caught up by the clustered store's misfire handling.
/// </summary>
internal sealed class ScheduleStartup(ScheduleTriggers triggers) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => triggers.SyncAllAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
