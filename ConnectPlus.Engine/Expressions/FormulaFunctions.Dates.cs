using System.Globalization;

namespace ConnectPlus.Engine.Expressions;

public static partial class FormulaFunctions
{
    private static IEnumerable<FormulaFunction> DateFunctions() =>
    [
        new(c => Clock(c).Date)
        {
            Name = "today", Category = FormulaCategory.Dates, Signature = "today([timeZone])",
            Description = "Today's date in UTC, or in the given time zone (IANA name such as 'Europe/Paris', 'Asia/Kolkata').",
            Example = "today()", ExampleResult = "2024-03-15", MinArguments = 0, MaxArguments = 1,
            UsesClock = true, CheckConstant = CheckTimeZone,
        },
        new(c => Clock(c))
        {
            Name = "now", Category = FormulaCategory.Dates, Signature = "now([timeZone])",
            Description = "The current date and time in UTC (text ends with Z), or the wall-clock time in the given time zone (no Z).",
            Example = "now('Asia/Kolkata')", ExampleResult = "2024-03-15T16:00:00", MinArguments = 0, MaxArguments = 1,
            UsesClock = true, CheckConstant = CheckTimeZone,
        },
        new(c => ParseDates(c))
        {
            Name = "parseDate", Category = FormulaCategory.Dates, Signature = "parseDate(text, format, ...)",
            Description = "Reads a date written in an exact .NET date format (e.g. 'dd/MM/yyyy', 'yyyyMMdd HHmmss'); give several formats to accept any of them. Taken as UTC unless the format reads an offset (zzz, K). Empty text gives missing; text that does not match is a row error.",
            Example = "parseDate('15/03/2024', 'dd/MM/yyyy')", ExampleResult = "2024-03-15", MinArguments = 2, MaxArguments = null,
        },
        new(FormatDate)
        {
            Name = "formatDate", Category = FormulaCategory.Dates, Signature = "formatDate(date, format)",
            Description = "The date as text in a .NET date format (invariant culture: English month names). The date may come from parseDate, today, now, or be ISO text (2024-03-15, 2024-03-15T10:30:00). Missing stays missing.",
            Example = "formatDate('2024-03-15', 'dd MMM yyyy')", ExampleResult = "15 Mar 2024", MinArguments = 2, MaxArguments = 2,
        },
        new(ReformatDate)
        {
            Name = "reformatDate", Category = FormulaCategory.Dates, Signature = "reformatDate(text, fromFormat, toFormat)",
            Description = "Rewrites a date from one format to another; the same as formatDate(parseDate(text, fromFormat), toFormat). Empty text gives missing.",
            Example = "reformatDate('15/03/2024', 'dd/MM/yyyy', 'yyyy-MM-dd')", ExampleResult = "2024-03-15", MinArguments = 3, MaxArguments = 3,
        },
        new(c => AddDays(c))
        {
            Name = "addDays", Category = FormulaCategory.Dates, Signature = "addDays(date, days)",
            Description = "The date moved by a number of days (negative goes back; fractions move hours too). Missing stays missing.",
            Example = "addDays('2024-02-28', 2)", ExampleResult = "2024-03-01", MinArguments = 2, MaxArguments = 2,
        },
        new(c => DateDiff(c))
        {
            Name = "dateDiff", Category = FormulaCategory.Dates, Signature = "dateDiff(start, end[, unit])",
            Description = "Whole units from `start` to `end` (negative when end is earlier): unit 'days' (default), 'hours', 'minutes', 'seconds', 'months' or 'years' (complete calendar months or years, e.g. an age). Missing when either date is missing.",
            Example = "dateDiff('2024-01-01', '2024-03-15')", ExampleResult = "74", MinArguments = 2, MaxArguments = 3,
        },
    ];

    private static DateTime Clock(FormulaCall c)
    {
        var utc = c.Time.GetUtcNow().UtcDateTime;
        return c.Count == 0 ? utc : TimeZoneInfo.ConvertTimeFromUtc(utc, c.TimeZone(0));
    }

    private static DateTime? ParseDates(FormulaCall c)
    {
        var text = c.Text(0);
        var formats = new string[c.Count - 1];
        for (var i = 1; i < c.Count; i++) formats[i - 1] = c.RequiredText(i, "format");
        return ParseDate(c, text, formats);
    }

    private static DateTime? ParseDate(FormulaCall c, string? text, string[] formats)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateTime.TryParseExact(text.Trim(), formats, CultureInfo.InvariantCulture, FormulaValues.DateStyle, out var date)) return date;
        var expected = formats.Length == 1 ? $"the format '{formats[0]}'" : $"any of the formats {string.Join(", ", formats.Select(f => $"'{f}'"))}";
        throw c.Error(0, $"{c.Describe(0, text)} does not match {expected}.");
    }

    private static string? FormatDate(FormulaCall c)
    {
        var date = c.Date(0);
        var format = c.RequiredText(1, "format");
        return date?.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string? ReformatDate(FormulaCall c)
    {
        var date = ParseDate(c, c.Text(0), [c.RequiredText(1, "from format")]);
        var format = c.RequiredText(2, "to format");
        return date?.ToString(format, CultureInfo.InvariantCulture);
    }

    private static DateTime? AddDays(FormulaCall c)
    {
        var date = c.Date(0);
        var days = c.Number(1);
        if (date is null || days is null) return null;
        return date.Value.AddDays((double)days.Value);
    }

    private static decimal? DateDiff(FormulaCall c)
    {
        var start = c.Date(0);
        var end = c.Date(1);
        var unit = (c.Text(2, "days") ?? "days").Trim().ToLowerInvariant();
        if (start is null || end is null) return null;
        var span = end.Value - start.Value;
        return unit switch
        {
            "days" or "day" => decimal.Truncate((decimal)span.TotalDays),
            "hours" or "hour" => decimal.Truncate((decimal)span.TotalHours),
            "minutes" or "minute" => decimal.Truncate((decimal)span.TotalMinutes),
            "seconds" or "second" => decimal.Truncate((decimal)span.TotalSeconds),
            "months" or "month" => WholeMonths(start.Value, end.Value),
            "years" or "year" => decimal.Truncate(WholeMonths(start.Value, end.Value) / 12m),
            _ => throw c.Error(2, $"unknown unit '{unit}'; use 'days', 'hours', 'minutes', 'seconds', 'months' or 'years'."),
        };
    }

    private static int WholeMonths(DateTime start, DateTime end)
    {
        if (end < start) return -WholeMonths(end, start);
        var months = ((end.Year - start.Year) * 12) + end.Month - start.Month;
        if (start.AddMonths(months) > end) months--;
        return months;
    }

    private static string? CheckTimeZone(int index, object? value) =>
        index == 0 && value is string id && FormulaCall.FindTimeZone(id) is null
            ? $"unknown time zone '{id}'; use an IANA name such as 'Europe/Paris' or 'Asia/Kolkata', or 'UTC'."
            : null;
}
