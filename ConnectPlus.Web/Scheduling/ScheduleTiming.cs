using System.Globalization;
using Quartz;

namespace ConnectPlus.Web.Scheduling;

/// <summary>The ready-made timings a person picks from; each becomes a Quartz cron expression.</summary>
public enum SchedulePreset
{
    /// <summary>Every 15 minutes, counted from the start time's minute.</summary>
    Every15Minutes,
    /// <summary>Every 30 minutes, counted from the start time's minute.</summary>
    Every30Minutes,
    /// <summary>Every hour at the start time's minute.</summary>
    Hourly,
    /// <summary>Every 6 hours from the start time (e.g. 02:30, 08:30, 14:30, 20:30).</summary>
    Every6Hours,
    /// <summary>Every day at the start time.</summary>
    Daily,
    /// <summary>Every week on a day at the start time.</summary>
    Weekly,
}

/// <summary>Presets, cron validation, time zones and fire-time previews of schedules (docs/scheduling.md).</summary>
public static class ScheduleTiming
{
    /// <summary>Names of the fields of a Quartz cron expression, in order.</summary>
    private static readonly string[] FieldNames = ["seconds", "minutes", "hours", "day of month", "month", "day of week", "year"];

    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>The Quartz cron expression (with seconds) of a preset starting at <paramref name="at"/>; <paramref name="day"/> is for <see cref="SchedulePreset.Weekly"/>.</summary>
    public static string CronOf(SchedulePreset preset, TimeOnly at, DayOfWeek day = DayOfWeek.Monday)
    {
        var m = at.Minute;
        var h = at.Hour;
        return preset switch
        {
            SchedulePreset.Every15Minutes => Invariant($"0 {m % 15}/15 * * * ?"),
            SchedulePreset.Every30Minutes => Invariant($"0 {m % 30}/30 * * * ?"),
            SchedulePreset.Hourly => Invariant($"0 {m} * * * ?"),
            SchedulePreset.Every6Hours => Invariant($"0 {m} {h % 6}/6 * * ?"),
            SchedulePreset.Daily => Invariant($"0 {m} {h} * * ?"),
            SchedulePreset.Weekly => Invariant($"0 {m} {h} ? * {DayNames[(int)day]}"),
            _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, null),
        };
    }

    /// <summary>
    /// Why a Quartz cron expression is not valid, naming the field at fault; null when it is valid.
    /// Quartz cron has 6 or 7 fields: seconds minutes hours day-of-month month day-of-week [year].
    /// </summary>
    public static string? CronProblem(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
            return "Give a cron expression, e.g. 0 0 6 * * ? (every day at 06:00).";
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields.Length is < 6 or > 7)
            return $"The cron expression '{expression}' has {fields.Length} fields; Quartz cron has 6 or 7: seconds minutes hours day-of-month month day-of-week [year], e.g. 0 0 6 * * ?.";
        for (var i = 0; i < fields.Length; i++)
        {
            if (FieldProblem(i, fields[i]) is { } problem)
                return $"The {FieldNames[i]} field '{fields[i]}' of the cron expression is not valid: {problem}";
        }
        if (fields[3] != "?" && fields[5] != "?")
            return "Give ? in either the day of month field or the day of week field (Quartz cron reads one of the two), e.g. 0 0 6 ? * MON or 0 0 6 1 * ?.";
        if (fields[3] == "?" && fields[5] == "?")
            return "Only one of day of month and day of week may be ?; put * in the other, e.g. 0 0 6 * * ?.";
        return Parse(expression, out var error) is null ? $"The cron expression '{expression}' is not valid: {error}" : null;
    }

    /// <summary>Why a time zone id is not a known IANA time zone (e.g. Asia/Kolkata); null when it is.</summary>
    public static string? TimeZoneProblem(string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(timeZone)) return "Give a time zone, e.g. Asia/Kolkata or UTC.";
        if (timeZone is "UTC" or "Etc/UTC") return null;
        // IANA names only, on every OS: what a person reads on a run is what the database holds.
        var isIana = TimeZoneInfo.TryConvertIanaIdToWindowsId(timeZone, out _);
        return isIana && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _)
            ? null
            : $"'{timeZone}' is not an IANA time zone; give one such as Asia/Kolkata, Europe/London or UTC.";
    }

    /// <summary>The time zone of an IANA id (validated first with <see cref="TimeZoneProblem"/>).</summary>
    public static TimeZoneInfo TimeZoneOf(string timeZone) =>
        timeZone is "UTC" or "Etc/UTC" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZone);

    /// <summary>The next <paramref name="count"/> fire times after <paramref name="after"/>, in the schedule's time zone (for the UI's preview).</summary>
    public static IReadOnlyList<DateTimeOffset> NextFireTimes(string cronExpression, string timeZone, DateTimeOffset after, int count = 5)
    {
        var problem = CronProblem(cronExpression) ?? TimeZoneProblem(timeZone);
        if (problem is not null) throw new ArgumentException(problem, nameof(cronExpression));
        var zone = TimeZoneOf(timeZone);
        var cron = new CronExpression(cronExpression, zone);
        var times = new List<DateTimeOffset>(count);
        var from = after;
        while (times.Count < count && cron.GetNextValidTimeAfter(from) is { } next)
        {
            times.Add(TimeZoneInfo.ConvertTime(next, zone));
            from = next;
        }
        return times;
    }

    /// <summary>Tests one field with the others set to values that cannot be wrong.</summary>
    private static string? FieldProblem(int index, string value)
    {
        string[] probe = ["0", "0", "0", "?", "*", "*", "*"];
        if (index == 3 && value == "?") probe[5] = "*";
        if (index == 5) probe[3] = value == "?" ? "*" : "?";
        probe[index] = value;
        if (index == 5 && value == "?") probe[3] = "*";
        return Parse(string.Join(' ', probe), out var error) is null ? error : null;
    }

    private static CronExpression? Parse(string expression, out string? error)
    {
        try
        {
            error = null;
            return new CronExpression(expression);
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
