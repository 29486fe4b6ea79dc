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
        var (wall, offset) = InZone(date);
        return Format(wall, offset, format);
    }

    /// <summary>
    /// The date as a field's value: the text <see cref="Format(PayloadDate, string)"/> gives, except that a v2
    /// date-time is kept packed (<see cref="PayloadValue.OfV2Date"/>) and formatted only when it is written.
    /// </summary>
    public PayloadValue Value(PayloadDate date, string format)
    {
        var (wall, offset) = InZone(date);
        if (offset is { } known && format == PayloadTemplates.V2DateTimeFormat && PackV2(wall, known) is var packed and not 0)
            return PayloadValue.OfV2Date(packed);
        return PayloadValue.OfText(Format(wall, offset, format));
    }

    private static string Format(DateTime wall, TimeSpan? offset, string format)
    {
        if (offset is not { } known) return DateTime.SpecifyKind(wall, DateTimeKind.Unspecified).ToString(format, Invariant);
        if (format == PayloadTemplates.V2DateTimeFormat && TryFormatV2(wall, known) is { } v2) return v2;
        return new DateTimeOffset(wall, known).ToString(format, Invariant);
    }

    /// <summary>The wall-clock time and offset to write: in the time zone when there is one, else as read.</summary>
    private (DateTime Wall, TimeSpan? Offset) InZone(PayloadDate date)
    {
        var (wall, offset) = (date.WallClock, date.Offset);
        if (_zone is null) return (wall, offset);
        if (offset is { } given)
        {
            var instant = new DateTimeOffset(wall, given);
            var converted = TimeZoneInfo.ConvertTime(instant, _zone);
            return (DateTime.SpecifyKind(converted.DateTime, DateTimeKind.Unspecified), converted.Offset);
        }
        return (wall, ZoneOffset(wall));
    }

    // The zone's offset over the last wall-clock hour asked about, when it is the same at both ends of that hour
    // (then it is the same all through it: a zone never changes its offset twice within an hour), packed in one
    // field so that threads sharing the plan read it whole: hour << 20 | (offset in seconds + 2^19); 0 for none.
    private long _zoneHour;

    /// <summary>
    /// <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> of the zone for a wall-clock time (an unspecified kind),
    /// remembered for the rest of its hour when the offset does not change within it.
    /// </summary>
    internal TimeSpan ZoneOffset(DateTime wall)
    {
        var zone = _zone!;
        var hour = wall.Ticks / TimeSpan.TicksPerHour;
        var cached = Volatile.Read(ref _zoneHour);
        if (cached != 0 && cached >> 20 == hour) return TimeSpan.FromSeconds((cached & 0xFFFFF) - (1 << 19));
        var offset = zone.GetUtcOffset(wall);
        var start = hour * TimeSpan.TicksPerHour;
        if (offset.Ticks % TimeSpan.TicksPerSecond == 0
            && zone.GetUtcOffset(new DateTime(start, DateTimeKind.Unspecified)) == offset
            && zone.GetUtcOffset(new DateTime(start + TimeSpan.TicksPerHour - 1, DateTimeKind.Unspecified)) == offset)
        {
            Volatile.Write(ref _zoneHour, hour << 20 | (offset.Ticks / TimeSpan.TicksPerSecond + (1 << 19)));
        }
        return offset;
    }

    /// <summary>
    /// A wall-clock time (to the second) and its offset packed in a long for <see cref="FormatV2(long)"/>: seconds since
    /// 0001-01-01 &lt;&lt; 12 | (offset in minutes + 2048). 0 when <see cref="TryFormatV2"/> would leave it to the general
    /// path (an offset not in whole minutes, or beyond 14 hours).
    /// </summary>
    internal static long PackV2(DateTime wall, TimeSpan offset)
    {
        if (offset.Ticks % TimeSpan.TicksPerMinute != 0 || offset.Duration() > TimeSpan.FromHours(14)) return 0;
        return (wall.Ticks / TimeSpan.TicksPerSecond) << 12 | (offset.Ticks / TimeSpan.TicksPerMinute + 2048);
    }

    /// <summary>Writes <c>yyyy-MM-dd'T'HH:mm:ssK</c> of a wall-clock time and its offset (K of a DateTimeOffset: <c>+05:30</c>).</summary>
    internal static string? TryFormatV2(DateTime wall, TimeSpan offset) => PackV2(wall, offset) is var packed and not 0 ? FormatV2(packed) : null;

    /// <summary>The text of a date-time packed by <see cref="PackV2"/>.</summary>
    internal static string FormatV2(long packed) => string.Create(V2Length, packed, static (span, p) =>
    {
        Span<byte> utf8 = stackalloc byte[V2Length];
        WriteV2(utf8, p);
        for (var i = 0; i < utf8.Length; i++) span[i] = (char)utf8[i];
    });

    /// <summary>The length of a v2 date-time's text (<c>2026-01-02T03:04:05+05:30</c>).</summary>
    internal const int V2Length = 25;

    /// <summary>Writes the text of a date-time packed by <see cref="PackV2"/> in ASCII (<see cref="V2Length"/> bytes).</summary>
    internal static void WriteV2(Span<byte> span, long packed)
    {
        var seconds = packed >> 12;
        var minutes = (int)(packed & 0xFFF) - 2048;
        _ = span[V2Length - 1];
        new DateTime(seconds / 86_400 * TimeSpan.TicksPerDay).Deconstruct(out var year, out var month, out var day);
        var ofDay = (int)(seconds % 86_400);
        var (hour, minute, second) = (ofDay / 3600, ofDay / 60 % 60, ofDay % 60);
        Put(span, 0, year, 4);
        span[4] = (byte)'-';
        Put(span, 5, month, 2);
        span[7] = (byte)'-';
        Put(span, 8, day, 2);
        span[10] = (byte)'T';
        Put(span, 11, hour, 2);
        span[13] = (byte)':';
        Put(span, 14, minute, 2);
        span[16] = (byte)':';
        Put(span, 17, second, 2);
        span[19] = minutes < 0 ? (byte)'-' : (byte)'+';
        var abs = Math.Abs(minutes);
        Put(span, 20, abs / 60, 2);
        span[22] = (byte)':';
        Put(span, 23, abs % 60, 2);
    }

    private static void Put(Span<byte> span, int at, int value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            span[at + i] = (byte)('0' + value % 10);
            value /= 10;
        }
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
