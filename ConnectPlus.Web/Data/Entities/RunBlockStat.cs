namespace ConnectPlus.Web.Data;

/// <summary>The counters of one block in a run (the engine's <c>BlockStats</c> when the run ended).</summary>
public sealed class RunBlockStat
{
    public long Id { get; set; }

    public long RunId { get; set; }

    /// <summary>The block's id in the dataflow.</summary>
    public required string NodeId { get; set; }

    /// <summary>Block type key, e.g. <c>read-csv</c>.</summary>
    public required string BlockType { get; set; }

    public long RowsIn { get; set; }

    public long RowsOut { get; set; }

    public long FilesIn { get; set; }

    public long FilesOut { get; set; }

    public long Rejected { get; set; }

    /// <summary>Completed, Failed, Cancelled… (the engine's <c>BlockState</c>).</summary>
    public required string State { get; set; }

    public long DurationMilliseconds { get; set; }
}
