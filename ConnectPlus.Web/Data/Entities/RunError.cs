namespace ConnectPlus.Web.Data;

/// <summary>
/// A rejected row of a run, kept for the run page: only the first <see cref="MaxPerRun"/> of a run
/// (a check constraint on <see cref="Sequence"/> holds the bound); the run's error file has them all.
/// </summary>
public sealed class RunError
{
    /// <summary>Rejected rows kept per run.</summary>
    public const int MaxPerRun = 1000;

    /// <summary>Most characters of <see cref="Message"/> kept.</summary>
    public const int MaxMessageLength = 2000;

    public long Id { get; set; }

    public long RunId { get; set; }

    /// <summary>1 to <see cref="MaxPerRun"/>, in the order the rows were rejected.</summary>
    public int Sequence { get; set; }

    /// <summary>The block that rejected the row.</summary>
    public required string NodeId { get; set; }

    public required string Code { get; set; }

    public required string Message { get; set; }

    public string? SourceFile { get; set; }

    public long? SourceLine { get; set; }

    /// <summary>The row's columns as a JSON object (column name to value).</summary>
    public string? Row { get; set; }
}
