using System.Collections.Concurrent;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Tests.Scheduling;

/// <summary>Records the run requests a trigger makes; answers "queued" (or "skipped" while <see cref="SkipWith"/> is set).</summary>
internal sealed class RecordingRunRequests : IRunRequests
{
    private long _nextId = 1000;

    public ConcurrentQueue<RunRequest> Requests { get; } = new();

    public string? SkipWith { get; set; }

    public Task<RunRequestResult> RequestAsync(RunRequest request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        return Task.FromResult(SkipWith is { } reason ? new RunRequestResult(null, reason) : new RunRequestResult(Interlocked.Increment(ref _nextId), null));
    }

    public Task<bool> CancelAsync(long runId, string requestedBy, CancellationToken cancellationToken) => Task.FromResult(false);
}

/// <summary>Records the runs it is asked to execute; with <see cref="HoldUntilCancelled"/> it waits for its token.</summary>
internal sealed class RecordingRunExecutor : IRunExecutor
{
    public ConcurrentQueue<long> Executed { get; } = new();

    public bool HoldUntilCancelled { get; set; }

    public TaskCompletionSource<long> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<bool> SawCancellation { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task ExecuteAsync(long runId, CancellationToken cancellationToken)
    {
        Executed.Enqueue(runId);
        Started.TrySetResult(runId);
        if (!HoldUntilCancelled) return;
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            SawCancellation.TrySetResult(true);
            throw;
        }
    }
}

internal sealed class RecordingRunRecovery : IRunRecovery
{
    public ConcurrentQueue<long> Recovered { get; } = new();

    public Task<RunRequestResult?> RecoverAsync(long runId, string reason, CancellationToken cancellationToken)
    {
        Recovered.Enqueue(runId);
        return Task.FromResult<RunRequestResult?>(null);
    }
}

internal static class SchedulingData
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A workspace with a dataflow whose published version is <paramref name="definition"/>.</summary>
    public static async Task<Dataflow> NewDataflowAsync(IDbContextFactory<ConnectPlusDbContext> databases, string definition = """{"formatVersion":1,"name":"nothing"}""", bool active = true)
    {
        await using var db = await databases.CreateDbContextAsync();
        var workspace = new Workspace { Name = "Brand " + Guid.NewGuid().ToString("N")[..8], Created = T0 };
        var dataflow = new Dataflow { Workspace = workspace, Name = "Members import", Created = T0, Updated = T0, IsActive = active };
        db.DataflowVersions.Add(new DataflowVersion { Dataflow = dataflow, Number = 1, Definition = definition, Author = "asha", State = DataflowVersionState.Published, Created = T0 });
        await db.SaveChangesAsync();
        return dataflow;
    }

    /// <summary>Waits until a condition holds, or fails after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for: {what}");
            await Task.Delay(50);
        }
    }
}
