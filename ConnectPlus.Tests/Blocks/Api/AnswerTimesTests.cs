using ConnectPlus.Engine.Blocks.Api;

namespace ConnectPlus.Tests.Blocks.Api;

public sealed class AnswerTimesTests
{
    [Fact]
    public void Percentile_IsWithinOneThirtySecondOfTheExactValue_ForWaitsFromMicrosecondsToMinutes()
    {
        var random = new Random(20261128);
        var waits = Enumerable.Range(0, 20_000)
            .Select(_ => TimeSpan.FromTicks((long)Math.Exp(random.NextDouble() * Math.Log(TimeSpan.FromMinutes(5).Ticks / 100.0)) * 100))
            .ToList();
        var times = new AnswerTimes();
        foreach (var wait in waits) times.Add(wait);

        var sorted = waits.Order().ToList();
        foreach (var share in new[] { 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0 })
        {
            var exact = sorted[(int)Math.Ceiling(share * sorted.Count) - 1];
            var told = times.Percentile(share);
            // Under 16 µs a bucket is 1 µs wide; above, 1/16 of its lower edge: its middle is within 1/32 of any value in it.
            var allowed = Math.Max(TimeSpan.FromMicroseconds(1).Ticks, exact.Ticks / 32.0);
            Assert.True(Math.Abs(told.Ticks - exact.Ticks) <= allowed, $"{share:P1}: {told} for {exact}");
        }
        Assert.Equal(sorted[^1], times.Longest);
        Assert.Equal(20_000, times.Count);
    }

    [Fact]
    public void Add_CountsEveryWait_FromManyThreadsAtOnce()
    {
        var times = new AnswerTimes();

        Parallel.For(0, 40_000, i => times.Add(TimeSpan.FromMilliseconds(i % 1000)));

        Assert.Equal(40_000, times.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(999), times.Longest);
        Assert.InRange(times.Percentile(0.5).TotalMilliseconds, 500 * 31 / 32.0, 500 * 33 / 32.0);
    }

    [Fact]
    public void Describe_SaysNothing_WhenNothingWasAnswered_AndNamesEachFigure_OtherWise()
    {
        var times = new AnswerTimes();
        Assert.Null(times.Describe());

        times.Add(TimeSpan.FromMilliseconds(2.5));

        Assert.Equal("2.5 ms median, 2.5 ms at the 99th percentile, 2.5 ms at most", times.Describe());
    }

    [Theory]
    [InlineData(0.4, "0.4 ms")]
    [InlineData(9.94, "9.9 ms")]
    [InlineData(38, "38 ms")]
    [InlineData(999.4, "999 ms")]
    [InlineData(999.6, "1.0 s")]
    [InlineData(2140, "2.1 s")]
    [InlineData(125_000, "125.0 s")]
    public void Format_UsesMillisecondsUnderASecond_ThenSeconds(double milliseconds, string expected) =>
        Assert.Equal(expected, AnswerTimes.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
