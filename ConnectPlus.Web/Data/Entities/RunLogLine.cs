using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Web.Data;

/// <summary>
/// A line of a run's log, kept in the database so any node shows it. Bounded: a run keeps its first
/// <see cref="KeptAtStart"/> lines (how it began) and its last <see cref="KeptAtEnd"/> (how it ended);
/// <see cref="Run.LogLinesDropped"/> counts the lines between, which are not kept.
/// </summary>
public sealed class RunLogLine
{
    /// <summary>First lines of a run kept.</summary>
    public const int KeptAtStart = 500;

    /// <summary>Last lines of a run kept.</summary>
    public const int KeptAtEnd = 500;

    /// <summary>Most characters of <see cref="Message"/> kept.</summary>
    public const int MaxMessageLength = 4000;

    public long Id { get; set; }

    public long RunId { get; set; }

    /// <summary>1, 2, 3… in the order the run wrote its lines (gaps where lines were dropped).</summary>
    public long Sequence { get; set; }

    public DateTimeOffset Time { get; set; }

    public RunLogLevel Level { get; set; }

    /// <summary>The block that wrote it; null for the run's own lines.</summary>
    public string? NodeId { get; set; }

    public required string Message { get; set; }
}
