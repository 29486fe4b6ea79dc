using ConnectPlus.Web.Scheduling;

namespace ConnectPlus.Tests.Scheduling;

public sealed class ScheduleTimingTests
{
    [Theory]
    [InlineData(SchedulePreset.Every15Minutes, "00:05", "0 5/15 * * * ?")]
    [InlineData(SchedulePreset.Every30Minutes, "00:40", "0 10/30 * * * ?")]
    [InlineData(SchedulePreset.Hourly, "00:20", "0 20 * * * ?")]
    [InlineData(SchedulePreset.Every6Hours, "08:30", "0 30 2/6 * * ?")]
    [InlineData(SchedulePreset.Daily, "06:15", "0 15 6 * * ?")]
    public void CronOf_TurnsAPresetWithItsStartTime_IntoQuartzCron(SchedulePreset preset, string at, string expected)
    {
        Assert.Equal(expected, ScheduleTiming.CronOf(preset, TimeOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void CronOf_Weekly_FiresOnTheDayAtTheTime()
    {
        var cron = ScheduleTiming.CronOf(SchedulePreset.Weekly, new TimeOnly(7, 45), DayOfWeek.Wednesday);

        Assert.Equal("0 45 7 ? * WED", cron);
    }

    [Fact]
    public void EveryPreset_GivesAValidExpression()
    {
        foreach (var preset in Enum.GetValues<SchedulePreset>())
            Assert.Null(ScheduleTiming.CronProblem(ScheduleTiming.CronOf(preset, new TimeOnly(23, 59), DayOfWeek.Sunday)));
    }

    [Theory]
    [InlineData("0 61 * * * ?", "minutes")]
    [InlineData("0 0 25 * * ?", "hours")]
    [InlineData("0 0 6 32 * ?", "day of month")]
    [InlineData("0 0 6 ? 13 MON", "month")]
    [InlineData("0 0 6 ? * FUNDAY", "day of week")]
    [InlineData("70 0 6 * * ?", "seconds")]
    public void CronProblem_NamesTheFieldAtFault(string expression, string field)
    {
        var problem = ScheduleTiming.CronProblem(expression);

        Assert.NotNull(problem);
        Assert.StartsWith($"The {field} field", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 0 6 * *", "has 5 fields")]
    [InlineData("0 0 6 1 * MON", "either the day of month field or the day of week field")]
    [InlineData("", "Give a cron expression")]
    public void CronProblem_SaysWhatToDo_WhenTheShapeIsWrong(string expression, string expected)
    {
        Assert.Contains(expected, ScheduleTiming.CronProblem(expression), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 0 6 * * ?")]
    [InlineData("0 0/15 9-17 ? * MON-FRI")]
    [InlineData("0 30 1 L * ? 2030")]
    public void CronProblem_IsNull_ForValidExpressions(string expression)
    {
        Assert.Null(ScheduleTiming.CronProblem(expression));
    }

    [Theory]
    [InlineData("Asia/Kolkata")]
    [InlineData("Europe/London")]
    [InlineData("UTC")]
    public void TimeZoneProblem_IsNull_ForIanaZones(string zone)
    {
        Assert.Null(ScheduleTiming.TimeZoneProblem(zone));
    }

    [Theory]
    [InlineData("India Standard Time")]
    [InlineData("Mars/Olympus")]
    [InlineData("")]
    public void TimeZoneProblem_AsksForAnIanaZone_Otherwise(string zone)
    {
        Assert.Contains("Asia/Kolkata", ScheduleTiming.TimeZoneProblem(zone), StringComparison.Ordinal);
    }

    [Fact]
    public void NextFireTimes_GivesFiveTimes_InTheScheduleTimeZone()
    {
        var after = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero); // 15:30 in Kolkata

        var times = ScheduleTiming.NextFireTimes("0 0 6 * * ?", "Asia/Kolkata", after);

        Assert.Equal(5, times.Count);
        Assert.All(times, t => Assert.Equal(TimeSpan.FromHours(5.5), t.Offset));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 6, 0, 0, TimeSpan.FromHours(5.5)), times[0]);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 6, 0, 0, TimeSpan.FromHours(5.5)), times[4]);
    }

    [Fact]
    public void NextFireTimes_FollowDaylightSavingTime()
    {
        // London moves from GMT to BST at 01:00 on Sunday 29 March 2026: 06:00 local is 06:00Z on Saturday, 05:00Z from Sunday.
        var after = new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero);

        var times = ScheduleTiming.NextFireTimes("0 0 6 * * ?", "Europe/London", after, 3);

        Assert.Equal([6, 5, 5], times.Select(t => t.UtcDateTime.Hour));
    }
}
