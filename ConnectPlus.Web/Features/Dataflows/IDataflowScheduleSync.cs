namespace ConnectPlus.Web.Features.Dataflows;

/// <summary>
/// Told by <see cref="DataflowService"/> when a dataflow is made active or inactive, or deleted, so that the
/// triggers of its schedules follow at once (the scheduler implements it; without scheduling there is none).
/// </summary>
public interface IDataflowScheduleSync
{
    /// <summary>Brings the triggers of these schedules in line with the database (a deleted schedule loses its trigger).</summary>
    Task SchedulesChangedAsync(IReadOnlyCollection<int> scheduleIds, CancellationToken cancellationToken);
}
