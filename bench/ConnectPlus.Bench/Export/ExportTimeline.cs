namespace ConnectPlus.Bench.Export;

/// <summary>
/// The dates of an export, in seconds since the Unix epoch. An export made at <see cref="ExportTime"/>
/// holds data up to the end of the previous day; members joined at least two years before that, so
/// that every tier change of the last two years comes after the member joined.
/// </summary>
internal sealed class ExportTimeline(DateTime exportTime)
{
    private const long Day = 86_400;

    public DateTime ExportTime { get; } = exportTime;

    /// <summary>The last second the data covers: the end of the day before the export.</summary>
    public long DataEnd { get; } = (long)(exportTime.Date - DateTime.UnixEpoch).TotalSeconds - 1;

    public long JoinedFrom => DataEnd - (10 * 365 * Day);

    public long JoinedUntil => DataEnd - (2 * 365 * Day);

    /// <summary>
    /// Where the n-th tier change (1-based) of members falls: the first changes over the two years,
    /// later ones in the last months, so that a member's changes follow each other in time.
    /// </summary>
    public (long From, long Until) ChangeWindow(int change) => change switch
    {
        1 => (DataEnd - (2 * 365 * Day), DataEnd - (180 * Day)),
        2 => (DataEnd - (180 * Day), DataEnd - (30 * Day)),
        _ => (DataEnd - (30 * Day), DataEnd),
    };
}
