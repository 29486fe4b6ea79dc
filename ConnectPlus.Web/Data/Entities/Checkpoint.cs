namespace ConnectPlus.Web.Data;

/// <summary>
/// An API batch that the server acknowledged, so a run that died resumes after it and never sends it
/// again: dataflow, sink block, source file, batch index (the engine's <c>Checkpoint</c>). Unique per
/// dataflow, block, source and batch. Like <see cref="ProcessedFile"/>, it names its run by <see cref="Run.Key"/>.
/// </summary>
public sealed class Checkpoint
{
    public long Id { get; set; }

    /// <summary>The dataflow's name (the engine keys checkpoints by it).</summary>
    public required string Dataflow { get; set; }

    /// <summary>The sink block's id.</summary>
    public required string NodeId { get; set; }

    /// <summary>The source file the batch's items came from, as its name reached the sink.</summary>
    public required string Source { get; set; }

    /// <summary>The batch's index among that file's batches, from 0.</summary>
    public long Batch { get; set; }

    /// <summary>Fingerprint of the batch's items chained with the file's earlier batches (hex).</summary>
    public required string Digest { get; set; }

    public int Items { get; set; }

    /// <summary>The run's <see cref="Run.Key"/>.</summary>
    public required string RunKey { get; set; }

    /// <summary>When the server acknowledged the batch.</summary>
    public DateTimeOffset Acknowledged { get; set; }
}
