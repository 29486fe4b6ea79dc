namespace ConnectPlus.Engine.Connectors.Ftp;

/// <summary>
/// Calls an action (aborting a request) when no progress was reported for a while. FtpWebRequest's own
/// timeouts cover only its synchronous methods; this covers the asynchronous ones and each transfer block.
/// </summary>
internal sealed class StallGuard : IDisposable
{
    private readonly TimeSpan _limit;
    private readonly ITimer _timer;
    private volatile bool _fired;

    public StallGuard(TimeSpan limit, Action onStall)
    {
        _limit = limit;
        _timer = TimeProvider.System.CreateTimer(_ =>
        {
            _fired = true;
            onStall();
        }, null, limit, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether the guard fired (the action ran).</summary>
    public bool Fired => _fired;

    /// <summary>Reports progress: the time limit starts again.</summary>
    public void Touch() => _timer.Change(_limit, Timeout.InfiniteTimeSpan);

    public void Dispose() => _timer.Dispose();
}
