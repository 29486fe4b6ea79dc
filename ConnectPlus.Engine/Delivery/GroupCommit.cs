namespace ConnectPlus.Engine.Delivery;

/// <summary>
/// Group commit for a store whose writes are durable only after a costly step (an fsync, a database commit):
/// items added while a commit runs, or within <c>gather</c> of the one before, wait and are committed together,
/// so parallel requests share one commit instead of queueing for one each. <see cref="AddAsync"/> completes
/// when the commit that took the item has; a failed commit fails every caller of its group. Thread-safe.
/// </summary>
/// <param name="commit">Makes a group durable; given the committing caller's token.</param>
/// <param name="gather">Least time between the starts of two commits.</param>
/// <param name="exclusive">The lock a commit holds, shared with a store that keeps commits out while it reads or rewrites; null: one of its own.</param>
public sealed class GroupCommit<T>(Func<List<T>, CancellationToken, Task> commit, TimeSpan gather, SemaphoreSlim? exclusive = null) : IDisposable
{
    private readonly SemaphoreSlim _committer = exclusive ?? new SemaphoreSlim(1, 1);
    private readonly bool _ownsCommitter = exclusive is null;
    private readonly Lock _pendingLock = new();
    private List<T> _pending = [];
    private TaskCompletionSource _nextCommit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // When the last commit started (Stopwatch ticks; 0: none yet). Read and written by the committer only.
    private long _lastCommit;

    /// <summary>Called with the size of each group as its commit starts (tests).</summary>
    public Action<int>? OnCommit { get; set; }

    /// <summary>Adds an item; completes once it is committed.</summary>
    public async Task AddAsync(T item, CancellationToken cancellationToken)
    {
        Task committed;
        lock (_pendingLock)
        {
            _pending.Add(item);
            committed = _nextCommit.Task;
        }
        await _committer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The committer before may have taken this item along.
            if (!committed.IsCompleted) await CommitPendingAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _committer.Release();
        }
        await committed.ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_ownsCommitter) _committer.Dispose();
    }

    /// <summary>Commits every item pending, after the gather time; the committer's lock is held.</summary>
    private async Task CommitPendingAsync(CancellationToken cancellationToken)
    {
        // Let the items of other requests gather behind this one rather than each paying a commit of its own.
        // A timer can end a millisecond early: wait again for what is left.
        TimeSpan wait;
        while (_lastCommit != 0 && (wait = gather - System.Diagnostics.Stopwatch.GetElapsedTime(_lastCommit)) > TimeSpan.Zero)
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), cancellationToken).ConfigureAwait(false);
        List<T> group;
        TaskCompletionSource done;
        lock (_pendingLock)
        {
            (group, _pending) = (_pending, []);
            (done, _nextCommit) = (_nextCommit, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        try
        {
            OnCommit?.Invoke(group.Count);
            // The gather counts from here, as the commit starts: a thread held up between the wait above and this
            // point (preempted, or compiling the first time through) must not shorten the next group's gathering.
            _lastCommit = System.Diagnostics.Stopwatch.GetTimestamp();
            await commit(group, cancellationToken).ConfigureAwait(false);
            done.SetResult();
        }
        catch (Exception ex)
        {
            // Every caller of the group sees the failure, through the task it waits on.
            done.SetException(ex);
        }
    }
}
