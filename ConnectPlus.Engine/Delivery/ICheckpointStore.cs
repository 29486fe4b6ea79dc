namespace ConnectPlus.Engine.Delivery;

/// <summary>
/// Remembers which API batches a server has acknowledged, so that a run that died (a crash, a kill, a
/// lost machine) resumes where it stopped and never sends an acknowledged batch again (ARCHITECTURE.md,
/// "Delivery guarantees"). A batch is named by the dataflow, the sink block, the source file it came
/// from and its index among that file's batches; its <see cref="Checkpoint.Digest"/> fingerprints the
/// items (chained over the file's earlier batches), so "batch 7 of orders.csv" is skipped only when it
/// holds the same items as the batch acknowledged. Supplied by the host through <c>RunOptions.Services</c>;
/// without one, sinks deliver without resuming. Implementations are thread-safe.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>The acknowledged batches of a sink block, from runs that did not finish their files.</summary>
    Task<IReadOnlyList<Checkpoint>> LoadAsync(string dataflow, string node, CancellationToken cancellationToken);

    /// <summary>Records an acknowledged batch; durable (on disk, committed) when the task completes.</summary>
    Task RecordAsync(Checkpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>Forgets the batches of source files a run delivered completely (called once the run succeeded).</summary>
    Task ForgetAsync(string dataflow, string node, IReadOnlyCollection<string> sources, CancellationToken cancellationToken);
}

/// <summary>One acknowledged batch.</summary>
/// <param name="Dataflow">The dataflow's name.</param>
/// <param name="Node">The sink block's id.</param>
/// <param name="Source">The source file the batch's items came from (its name as it reached the sink).</param>
/// <param name="Batch">The batch's index among that file's batches, from 0.</param>
/// <param name="Digest">Fingerprint of the batch's items chained with the file's earlier batches: <c>x3-</c> and 32 hex digits (XXH3-128); 32 hex digits without prefix from versions before it (SHA-256).</param>
/// <param name="Items">Items in the batch.</param>
/// <param name="RunId">The run that delivered it.</param>
/// <param name="At">When the server acknowledged it.</param>
public sealed record Checkpoint(string Dataflow, string Node, string Source, long Batch, string Digest, int Items, string RunId, DateTimeOffset At);
