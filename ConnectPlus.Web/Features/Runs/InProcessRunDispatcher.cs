using System.Collections.Concurrent;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>
/// The default <see cref="IRunDispatcher"/>: runs each queued run at once in this process, on a background
/// task it keeps track of. When the host stops, the runs are cancelled and awaited (up to the host's shutdown
/// timeout); they stay Running under this node's name and recovery resumes them from their checkpoints.
/// Replaced by the Quartz dispatcher when scheduling is on.
/// </summary>
public sealed partial class InProcessRunDispatcher(IRunExecutor executor, ILogger<InProcessRunDispatcher> logger) : IRunDispatcher, IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private readonly ConcurrentDictionary<long, Task> _running = new();

    /// <summary>Runs being executed by this dispatcher.</summary>
    public IReadOnlyCollection<long> Running => [.. _running.Keys];

    public Task DispatchAsync(long runId, CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            NotStarted(runId);
            return Task.CompletedTask;
        }
        var task = Task.Run(() => ExecuteAsync(runId), CancellationToken.None);
        _running[runId] = task;
        // Registered after the add: the removal always comes after it.
        task.ContinueWith(_ => _running.TryRemove(runId, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    /// <summary>Waits until no run of this dispatcher is going (tests, shutdown).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_running.Values);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host may stop a service again after disposing it (WebApplicationFactory stops the host, then the
        // app's own RunAsync does): by then its runs were cancelled and awaited, nothing is left to do.
        if (Volatile.Read(ref _disposed) != 0) return;
        await _stopping.CancelAsync();
        var running = _running.Values.ToList();
        if (running.Count == 0) return;
        Stopping(running.Count);
        try
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            NotAwaited(_running.Count);
        }
    }

    /// <summary>
    /// Only cancels (as BackgroundService does): the host may stop this service on another thread while it is being
    /// disposed (WebApplicationFactory stops the host while the app's own RunAsync stops and disposes it), and a
    /// disposed token source would throw there. It holds no timer and no wait handle, so nothing leaks.
    /// </summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, 1);
        _stopping.Cancel();
    }

    private async Task ExecuteAsync(long runId)
    {
        try
        {
            await executor.ExecuteAsync(runId, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            NotStarted(runId);
        }
        catch (Exception ex)
        {
            // Nobody awaits a background run: its failure must at least reach the log. The run row is left to recovery.
            Crashed(ex, runId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run #{RunId} not started here: the host is stopping (recovery takes it over).")]
    private partial void NotStarted(long runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: waiting for {Count} runs to stop.")]
    private partial void Stopping(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped without waiting for {Count} runs any longer (shutdown timeout).")]
    private partial void NotAwaited(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run #{RunId} failed in the background.")]
    private partial void Crashed(Exception exception, long runId);
}
