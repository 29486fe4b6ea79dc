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
    /// <summary>
    /// ISO 8601 forms always accepted after the listed formats: the common ones first (no two of
    /// them read the same text differently), those with an offset after those without.
    /// </summary>
    public static IReadOnlyList<string> IsoFormats { get; } =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mm:ssK",
    ];

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private readonly string[] _formats;
    private readonly TimeZoneInfo? _zone;

    // The usual case, read and written without the general (and much slower) format machinery: input in
    // "yyyy-MM-dd HH:mm:ss" when that format is tried first, output in the v2 "yyyy-MM-dd'T'HH:mm:ssK".
    private const string PlainInput = "yyyy-MM-dd HH:mm:ss";
    private readonly bool _plainInputFirst;

    public PayloadDates(IEnumerable<string> inputFormats, TimeZoneInfo? zone)
    {
        _formats = [.. inputFormats.Where(f => !string.IsNullOrWhiteSpace(f)).Concat(IsoFormats).Distinct(StringComparer.Ordinal)];
        _zone = zone;
        _plainInputFirst = _formats[0] == PlainInput;
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
        if (_plainInputFirst && TryParsePlain(text, out var plain))
        {
            date = new PayloadDate(plain, null);
            return true;
        }
        // In order, so that the first listed format wins when several match (dd/MM before MM/dd).
        foreach (var format in _formats)
        {
            if (TryParse(text, format, out date)) return true;
        }
        date = default;
        return false;
    }

    private static bool TryParse(string text, string format, out PayloadDate date)
    {
        const DateTimeStyles styles = DateTimeStyles.AllowWhiteSpaces;
        date = default;
        if (!DateTime.TryParseExact(text, format, Invariant, styles | DateTimeStyles.RoundtripKind, out var parsed)) return false;
        if (parsed.Kind == DateTimeKind.Unspecified)
        {
            date = new PayloadDate(parsed, null);
            return true;
        }
        if (!DateTimeOffset.TryParseExact(text, format, Invariant, styles, out var withOffset)) return false;
        date = new PayloadDate(DateTime.SpecifyKind(withOffset.DateTime, DateTimeKind.Unspecified), withOffset.Offset);
        return true;
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
        if (offset is not { } known) return DateTime.SpecifyKind(wall, DateTimeKind.Unspecified).ToString(format, Invariant);
        if (format == PayloadTemplates.V2DateTimeFormat && TryFormatV2(wall, known) is { } v2) return v2;
        return new DateTimeOffset(wall, known).ToString(format, Invariant);
    }

    /// <summary>
    /// Reads exactly <c>yyyy-MM-dd HH:mm:ss</c> (19 characters, no white space) as
    /// <see cref="DateTime.TryParseExact(string, string, IFormatProvider, DateTimeStyles, out DateTime)"/> does;
    /// false for anything else, which then goes through the general formats.
    /// </summary>
    internal static bool TryParsePlain(string text, out DateTime value)
    {
        value = default;
        if (text.Length != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':') return false;
        if (!Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second))
            return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        return true;
    }

    /// <summary>Writes <c>yyyy-MM-dd'T'HH:mm:ssK</c> of a wall-clock time and its offset (K of a DateTimeOffset: <c>+05:30</c>).</summary>
    internal static string? TryFormatV2(DateTime wall, TimeSpan offset)
    {
        if (offset.Ticks % TimeSpan.TicksPerMinute != 0 || offset.Duration() > TimeSpan.FromHours(14)) return null;
        return string.Create(25, (wall, offset), static (span, state) =>
        {
            var (w, o) = state;
            Put(span, 0, w.Year, 4);
            span[4] = '-';
            Put(span, 5, w.Month, 2);
            span[7] = '-';
            Put(span, 8, w.Day, 2);
            span[10] = 'T';
            Put(span, 11, w.Hour, 2);
            span[13] = ':';
            Put(span, 14, w.Minute, 2);
            span[16] = ':';
            Put(span, 17, w.Second, 2);
            span[19] = o < TimeSpan.Zero ? '-' : '+';
            var abs = o.Duration();
            Put(span, 20, abs.Hours, 2);
            span[22] = ':';
            Put(span, 23, abs.Minutes, 2);
        });
    }

    private static void Put(Span<char> span, int at, int value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            span[at + i] = (char)('0' + value % 10);
            value /= 10;
        }
    }

    private static bool Digits(string text, int at, int count, out int value)
    {
        value = 0;
        for (var i = at; i < at + count; i++)
        {
            var d = text[i] - '0';
            if ((uint)d > 9) return false;
            value = value * 10 + d;
        }
        return true;
    }
}
