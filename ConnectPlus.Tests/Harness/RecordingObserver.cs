using System.Collections.Concurrent;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Tests.Harness;

/// <summary>Observer that records everything it is told.</summary>
public sealed class RecordingObserver : IRunObserver
{
    private readonly ConcurrentQueue<RunLogEntry> _log = new();
    private readonly ConcurrentQueue<RejectedRecord> _rejected = new();
    private readonly ConcurrentQueue<(string Node, BlockState State)> _states = new();
    private int _progress;

    public IReadOnlyList<RunLogEntry> Log => [.. _log];
    public IReadOnlyList<RejectedRecord> Rejected => [.. _rejected];
    public IReadOnlyList<(string Node, BlockState State)> States => [.. _states];
    public int ProgressCalls => Volatile.Read(ref _progress);

    public void OnLog(RunLogEntry entry) => _log.Enqueue(entry);
    public void OnRejected(RejectedRecord record) => _rejected.Enqueue(record);
    public void OnBlockStateChanged(BlockStats block) => _states.Enqueue((block.NodeId, block.State));
    public void OnProgress(IReadOnlyList<BlockStats> blocks) => Interlocked.Increment(ref _progress);
}
