using System.Globalization;
using System.Text.RegularExpressions;

namespace ConnectPlus.Engine.Connectors.Ftp;

/// <summary>One line of an FTP <c>LIST</c> answer.</summary>
/// <param name="Name">File or folder name (for a link, the link's own name).</param>
/// <param name="Kind">'-' file, 'd' folder, 'l' symbolic link, anything else is something else.</param>
/// <param name="Size">Size in bytes as listed.</param>
/// <param name="Modified">Last modified time (UTC, to the minute or the day).</param>
internal readonly record struct FtpListEntry(string Name, char Kind, long Size, DateTimeOffset Modified);

/// <summary>
/// Reads <c>LIST</c> answers in the two formats servers use: Unix <c>ls -l</c> (vsftpd, ProFTPD, Pure-FTPd,
/// OpenSSH-based servers) and DOS (IIS). <c>FtpWebRequest</c> offers no <c>MLSD</c>, and asking each file's
/// <c>MDTM</c> costs a sign-in per file (FtpWebRequest keeps no connection open between requests), so times come
/// from the listing: to the minute, read as UTC (what vsftpd sends by default), and for Unix lines older than six
/// months to the day only (<c>ls</c> then prints the year instead of the time).
/// </summary>
internal static partial class FtpListing
{
    public static FtpListEntry? Parse(string line, DateTimeOffset now)
    {
        var unix = UnixLine().Match(line);
        if (unix.Success) return Unix(unix, now);
        var dos = DosLine().Match(line);
        return dos.Success ? Dos(dos) : null;
    }

    private static FtpListEntry? Unix(Match match, DateTimeOffset now)
    {
        var kind = match.Groups["kind"].Value[0];
        var name = match.Groups["name"].Value;
        if (kind == 'l' && name.IndexOf(" -> ", StringComparison.Ordinal) is var arrow and > 0) name = name[..arrow];
        var month = Array.IndexOf(Months, match.Groups["month"].Value.ToUpperInvariant()) + 1;
        var day = int.Parse(match.Groups["day"].Value, CultureInfo.InvariantCulture);
        var timeOrYear = match.Groups["time"].Value;
        if (month == 0) return null;
        DateTimeOffset modified;
        if (timeOrYear.Contains(':', StringComparison.Ordinal))
        {
            var time = TimeSpan.ParseExact(timeOrYear, @"h\:mm", CultureInfo.InvariantCulture);
            // No year: the latest date not more than a day ahead of now (ls prints times for the last six months).
            var candidate = Date(now.Year, month, day, time) ?? Date(now.Year - 1, month, day, time);
            if (candidate > now.AddDays(1)) candidate = Date(now.Year - 1, month, day, time);
            if (candidate is null) return null;
            modified = candidate.Value;
        }
        else
        {
            if (Date(int.Parse(timeOrYear, CultureInfo.InvariantCulture), month, day, TimeSpan.Zero) is not { } dated) return null;
            modified = dated;
        }
        return new FtpListEntry(name, kind, long.Parse(match.Groups["size"].Value, CultureInfo.InvariantCulture), modified);
    }

    private static FtpListEntry? Dos(Match match)
    {
        if (!DateTime.TryParseExact($"{match.Groups["date"].Value} {match.Groups["time"].Value}",
                ["MM-dd-yy hh:mmtt", "MM-dd-yyyy hh:mmtt", "MM-dd-yy HH:mm", "MM-dd-yyyy HH:mm"],
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var modified))
            return null;
        var folder = match.Groups["dir"].Success;
        var size = folder ? 0 : long.Parse(match.Groups["size"].Value, CultureInfo.InvariantCulture);
        return new FtpListEntry(match.Groups["name"].Value, folder ? 'd' : '-', size, new DateTimeOffset(modified, TimeSpan.Zero));
    }

    private static DateTimeOffset? Date(int year, int month, int day, TimeSpan time) =>
        day <= DateTime.DaysInMonth(year, month) ? new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero) + time : null;

    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    // -rw-r--r--    1 1001     1001           14 Nov 27 11:17 name with spaces.csv
    [GeneratedRegex(@"^(?<kind>[-dlbcps])[-rwxsStTlL]{9}[.+@]?\s+\d+\s+\S+\s+(?:\S+\s+)?(?<size>\d+)\s+(?<month>[A-Za-z]{3})\s+(?<day>\d{1,2})\s+(?<time>\d{1,2}:\d{2}|\d{4})\s(?<name>.+)$")]
    private static partial Regex UnixLine();

    // 11-27-26  11:17AM       <DIR>          folder     |     11-27-26  11:17AM                14 file.csv
    [GeneratedRegex(@"^(?<date>\d{2}-\d{2}-\d{2,4})\s+(?<time>\d{1,2}:\d{2}(?:[AaPp][Mm])?)\s+(?:(?<dir><DIR>)|(?<size>\d+))\s+(?<name>.+)$")]
    private static partial Regex DosLine();
}
