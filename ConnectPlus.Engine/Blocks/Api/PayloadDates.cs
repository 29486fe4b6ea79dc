using System.Globalization;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>A date read from the input: its wall-clock time and, when the text carried one, its UTC offset.</summary>
internal readonly record struct PayloadDate(DateTime WallClock, TimeSpan? Offset);

/// <summary>
/// Reads input dates in the formats the user listed, then in ISO 8601, and writes them in the
/// format an endpoint wants, in a time zone when one is given.
/// </summary>
internal sealed class PayloadDates
{
    /// <summary>ISO 8601 forms always accepted after the listed formats (the offset ones last).</summary>
    public static IReadOnlyList<string> IsoFormats { get; } =
    [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK",
    ];

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private readonly string[] _formats;
    private readonly TimeZoneInfo? _zone;

    public PayloadDates(IEnumerable<string> inputFormats, TimeZoneInfo? zone)
    {
        _formats = [.. inputFormats.Where(f => !string.IsNullOrWhiteSpace(f)).Concat(IsoFormats).Distinct(StringComparer.Ordinal)];
        _zone = zone;
    }

    /// <summary>The formats tried, in order (for messages).</summary>
    public IReadOnlyList<string> Formats => _formats;

    /// <summary>Whether a text is a usable .NET custom date format.</summary>
    public static bool IsValidFormat(string format)
    {
        if (string.IsNullOrWhiteSpace(format)) return false;
        try
        {
            var sample = new DateTime(2024, 3, 15, 10, 30, 45, DateTimeKind.Unspecified).ToString(format, Invariant);
            return sample.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Whether a text is a time zone this machine knows (an IANA name such as Asia/Kolkata).</summary>
    public static bool TryFindZone(string name, out TimeZoneInfo? zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(name.Trim());
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            zone = null;
            return false;
        }
    }

    /// <summary>Reads a date in the first format that matches the whole text.</summary>
    public bool TryParse(string text, out PayloadDate date)
    {
        const DateTimeStyles styles = DateTimeStyles.AllowWhiteSpaces;
        foreach (var format in _formats)
        {
            if (!DateTime.TryParseExact(text, format, Invariant, styles | DateTimeStyles.RoundtripKind, out var parsed)) continue;
            if (parsed.Kind == DateTimeKind.Unspecified)
            {
                date = new PayloadDate(parsed, null);
                return true;
            }
            if (DateTimeOffset.TryParseExact(text, format, Invariant, styles, out var withOffset))
            {
                date = new PayloadDate(DateTime.SpecifyKind(withOffset.DateTime, DateTimeKind.Unspecified), withOffset.Offset);
                return true;
            }
        }
        date = default;
        return false;
    }

    /// <summary>
    /// Writes a date in a format. With a time zone, a date without an offset is taken in that zone
    /// and one with an offset is converted to it; then <c>K</c> writes the zone's offset. Without a
    /// time zone the date is written as read (<c>K</c> writes nothing when it had no offset).
    /// </summary>
    public string Format(PayloadDate date, string format)
    {
        var (wall, offset) = (date.WallClock, date.Offset);
        if (_zone is not null)
        {
            if (offset is { } given)
            {
                var instant = new DateTimeOffset(wall, given);
                var converted = TimeZoneInfo.ConvertTime(instant, _zone);
                (wall, offset) = (DateTime.SpecifyKind(converted.DateTime, DateTimeKind.Unspecified), converted.Offset);
            }
            else
            {
                offset = _zone.GetUtcOffset(wall);
            }
        }
        return offset is { } known
            ? new DateTimeOffset(wall, known).ToString(format, Invariant)
            : DateTime.SpecifyKind(wall, DateTimeKind.Unspecified).ToString(format, Invariant);
    }
}
