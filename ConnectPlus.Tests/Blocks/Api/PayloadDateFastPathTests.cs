using System.Globalization;
using System.Text;
using System.Text.Json;
using ConnectPlus.Engine.Blocks.Api;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>
/// The date fast paths of the Build API payload block against the general ones: v2 date-times kept packed and
/// written straight into the JSON, and the time zone's offset remembered over an hour.
/// </summary>
public sealed class PayloadDateFastPathTests
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private const string V2 = PayloadTemplates.V2DateTimeFormat;

    [Fact]
    public void PackV2_FormatsAsDateTimeOffsetWould_ForGeneratedTimesAndOffsets()
    {
        var random = new Random(6);
        var min = new DateTime(1, 1, 2).Ticks;
        var max = new DateTime(9999, 12, 30).Ticks;
        for (var i = 0; i < 50_000; i++)
        {
            var wall = new DateTime(i < 10 ? (i % 2 == 0 ? min : max) : random.NextInt64(min, max), DateTimeKind.Unspecified);
            var offset = TimeSpan.FromMinutes(i % 7 == 0 ? 0 : random.Next(-14 * 60, 14 * 60 + 1));
            var expected = new DateTimeOffset(wall, offset).ToString(V2, Invariant);

            var packed = PayloadDates.PackV2(wall, offset);

            Assert.NotEqual(0, packed);
            Assert.Equal(expected, PayloadDates.FormatV2(packed));
            Assert.Equal(expected, PayloadDates.TryFormatV2(wall, offset));
            Assert.Equal(expected, PayloadValue.OfV2Date(packed).Text);
        }
    }

    [Fact]
    public void PackV2_LeavesOffsetsOfSecondsOrBeyondFourteenHoursToTheGeneralPath()
    {
        var wall = new DateTime(2026, 1, 2, 3, 4, 5);
        Assert.Equal(0, PayloadDates.PackV2(wall, TimeSpan.FromSeconds(30)));
        Assert.Equal(0, PayloadDates.PackV2(wall, new TimeSpan(5, 53, 28)));
        Assert.Equal(0, PayloadDates.PackV2(wall, TimeSpan.FromMinutes(14 * 60 + 1)));
        Assert.Equal(0, PayloadDates.PackV2(wall, TimeSpan.FromMinutes(-14 * 60 - 1)));
        Assert.Null(PayloadDates.TryFormatV2(wall, TimeSpan.FromSeconds(30)));
        Assert.Equal("2026-01-02T03:04:05-14:00", PayloadDates.TryFormatV2(wall, TimeSpan.FromHours(-14)));
        Assert.Equal("2026-01-02T03:04:05+14:00", PayloadDates.TryFormatV2(wall, TimeSpan.FromHours(14)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Asia/Kolkata")]
    [InlineData("Europe/London")]
    [InlineData("America/Sao_Paulo")]
    [InlineData("Australia/Lord_Howe")]
    [InlineData("Asia/Kathmandu")]
    public void Value_HasTheTextOfFormat_ForGeneratedDatesAndFormats(string? zoneName)
    {
        TimeZoneInfo? zone = null;
        if (zoneName is not null) Assert.True(PayloadDates.TryFindZone(zoneName, out zone));
        var dates = new PayloadDates([], zone);
        var reference = new PayloadDates([], zone);
        var random = new Random(zoneName?.Length ?? 0);
        var packed = 0;
        string[] formats = [V2, PayloadTemplates.DateFormat, "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.fffK"];
        var start = new DateTime(1900, 1, 1).Ticks;
        var end = new DateTime(2040, 1, 1).Ticks;
        for (var i = 0; i < 20_000; i++)
        {
            var wall = new DateTime(random.NextInt64(start, end), DateTimeKind.Unspecified);
            // An offset read from the text is in whole minutes (K).
            TimeSpan? offset = random.Next(2) == 0 ? null : TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1));
            var date = new PayloadDate(wall, offset);
            var format = formats[i % formats.Length];
            string expected;
            try
            {
                expected = reference.Format(date, format);
            }
            catch (ArgumentOutOfRangeException)
            {
                continue;
            }

            var value = dates.Value(date, format);

            Assert.Equal(PayloadValueKind.Text, value.Kind);
            Assert.True(value.HasValue);
            Assert.Equal(expected, value.Text);
            if (format != V2) Assert.False(value.IsV2Date);
            if (value.IsV2Date) packed++;
        }
        // The fast path ran (not only the general one) whenever the date has an offset to write.
        Assert.True(zoneName is null ? packed > 1_000 : packed > 4_000, $"{packed} v2 dates packed");
    }

    [Theory]
    [InlineData("Asia/Kolkata", 1941, 1946)]
    [InlineData("Europe/London", 2025, 2027)]
    [InlineData("America/Sao_Paulo", 2017, 2019)]
    [InlineData("Australia/Lord_Howe", 2025, 2027)]
    [InlineData("America/New_York", 1965, 1967)]
    public void ZoneOffset_IsGetUtcOffset_ForEveryMinuteOfTheYears_InOrderAndAtRandom(string zoneName, int fromYear, int toYear)
    {
        Assert.True(PayloadDates.TryFindZone(zoneName, out var zone));
        var dates = new PayloadDates([], zone);
        var start = new DateTime(fromYear, 1, 1);
        var end = new DateTime(toYear + 1, 1, 1);
        var changes = 0;
        var previous = zone!.GetUtcOffset(start);
        for (var wall = start; wall < end; wall = wall.AddMinutes(1))
        {
            var expected = zone.GetUtcOffset(wall);
            if (expected != previous) changes++;
            previous = expected;
            Assert.Equal(expected, dates.ZoneOffset(wall));
            // A second within the minute too, as bills' times have seconds.
            var within = wall.AddSeconds(wall.Minute);
            Assert.Equal(zone.GetUtcOffset(within), dates.ZoneOffset(within));
        }
        Assert.True(changes > 0, $"no offset change in {zoneName} {fromYear}-{toYear}: the test would not see a wrong hour");
        var random = new Random(fromYear);
        for (var i = 0; i < 200_000; i++)
        {
            var wall = new DateTime(random.NextInt64(start.Ticks, end.Ticks), DateTimeKind.Unspecified);
            Assert.Equal(zone.GetUtcOffset(wall), dates.ZoneOffset(wall));
        }
    }

    [Fact]
    public void WriteV2Date_WritesTheBytesOfItsText()
    {
        var random = new Random(2);
        using var fast = new PayloadJsonWriter();
        using var slow = new PayloadJsonWriter();
        var name = JsonEncodedText.Encode("billingDate");
        byte[] quotedName = [(byte)'"', .. name.EncodedUtf8Bytes, (byte)'"', (byte)':'];
        for (var i = 0; i < 2_000; i++)
        {
            var wall = new DateTime(random.NextInt64(new DateTime(1, 1, 2).Ticks, new DateTime(9999, 12, 30).Ticks));
            var packed = PayloadDates.PackV2(wall, TimeSpan.FromMinutes(random.Next(-840, 841)));
            var text = PayloadDates.FormatV2(packed);
            fast.Reset();
            slow.Reset();
            fast.WriteStartObject();
            slow.WriteStartObject();
            if (i % 2 == 0)
            {
                fast.WriteProperty(quotedName, "x", raw: false);
                slow.WriteProperty(quotedName, "x", raw: false);
            }
            fast.WriteV2DateProperty(quotedName, packed);
            slow.WriteProperty(quotedName, text, raw: false);
            fast.WriteStartArray("values");
            slow.WriteStartArray("values");
            fast.WriteV2DateValue(packed);
            slow.WriteStringValue(text);
            fast.WriteV2DateValue(packed);
            slow.WriteStringValue(text);
            fast.WriteEndArray();
            slow.WriteEndArray();
            PayloadValue.OfV2Date(packed).Write(fast, "value");
            PayloadValue.OfText(text).Write(slow, "value");
            fast.WriteEndObject();
            slow.WriteEndObject();

            Assert.Equal(Encoding.UTF8.GetString(slow.Written), Encoding.UTF8.GetString(fast.Written));
        }
        using var document = JsonDocument.Parse(fast.Written.ToArray());
        Assert.Equal("2026-01-02T03:04:05+05:30", PayloadDates.FormatV2(PayloadDates.PackV2(new DateTime(2026, 1, 2, 3, 4, 5), TimeSpan.FromMinutes(330))));
    }
}
