using ConnectPlus.Engine.Blocks.Files;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Tests.Blocks.Files;

public sealed class FileNameTemplateTests
{
    // 23:30 in India is 18:00 UTC the same day.
    private static readonly FileNameValues Values = new(new DateTimeOffset(2024, 3, 5, 23, 30, 15, TimeSpan.FromHours(5.5)), "in/members.csv", "run-7", "write");

    [Fact]
    public void Expand_ReplacesEveryToken()
    {
        var name = FileNameTemplate.Expand("x_{date:yyyyMMdd-HHmmss}_{source}_{run}_{node}.csv", Values, "fileNameTemplate");

        Assert.Equal("x_20240305-180015_members_run-7_write.csv", name);
    }

    [Fact]
    public void Expand_FormatsTheDateInUtc_AndDefaultsToYyyyMMdd()
    {
        var lateEvening = Values with { Date = new DateTimeOffset(2024, 3, 6, 2, 0, 0, TimeSpan.FromHours(5.5)) };

        Assert.Equal("out_20240305.csv", FileNameTemplate.Expand("out_{date}.csv", lateEvening, "s"));
    }

    [Theory]
    [InlineData(null, "output")]
    [InlineData("", "output")]
    [InlineData("members.2024.csv", "members.2024")]
    [InlineData(@"C:\drop\bills.txt", "bills")]
    [InlineData("a:b*c.csv", "a_b_c")]
    public void Expand_UsesTheSourceNameWithoutFolderAndExtension(string? source, string expected)
    {
        Assert.Equal(expected + ".csv", FileNameTemplate.Expand("{source}.csv", Values with { Source = source }, "s"));
    }

    [Fact]
    public void Expand_ReplacesCharactersAFileNameCannotHold_InTokenValues()
    {
        Assert.Equal("at 18_00.csv", FileNameTemplate.Expand("at {date:HH:mm}.csv", Values, "s"));
        Assert.Equal("2024_03_05.csv", FileNameTemplate.Expand("{date:yyyy/MM/dd}.csv", Values, "s"));
    }

    [Fact]
    public void Expand_TakesTokenNamesInAnyCase()
    {
        Assert.Equal("members-run-7.csv", FileNameTemplate.Expand("{Source}-{RUN}.csv", Values, "s"));
    }

    [Fact]
    public void Expand_Throws_WhenTheNameComesOutEmpty()
    {
        var ex = Assert.Throws<BlockException>(() => FileNameTemplate.Expand("{date:''}", Values, "fileNameTemplate"));

        Assert.Equal("fileNameTemplate", ex.Setting);
        Assert.Contains("cannot be used", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_Throws_WhenTheTemplateIsNotValid()
    {
        var ex = Assert.Throws<BlockException>(() => FileNameTemplate.Expand("{when}.csv", Values, "fileNameTemplate"));

        Assert.Equal("fileNameTemplate", ex.Setting);
        Assert.Contains("Unknown token {when}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("output_{date:yyyyMMdd}.csv")]
    [InlineData("{source}")]
    [InlineData("{date:yyyy-MM-dd HH:mm}.csv")]
    [InlineData("plain.csv")]
    public void Check_AcceptsValidTemplates(string template)
    {
        Assert.Null(FileNameTemplate.Check(template));
    }

    [Theory]
    [InlineData("", "Give a file name")]
    [InlineData("   ", "Give a file name")]
    [InlineData("{when}.csv", "Unknown token {when}. Tokens: {date:FORMAT}, {source}, {run}, {node}.")]
    [InlineData("out_{date.csv", "A '{' at position 5 has no closing '}'.")]
    [InlineData("out}.csv", "A '}' at position 4 has no opening '{'.")]
    [InlineData("{source:x}.csv", "Only {date} takes a format; write {source}.")]
    [InlineData("{date:%}.csv", "'%' is not a date format")]
    [InlineData("out/{date}.csv", "Give a file name, not a path")]
    [InlineData(@"out\file.csv", "Give a file name, not a path")]
    [InlineData("out?.csv", "A file name cannot contain '?'")]
    [InlineData("out\t.csv", @"A file name cannot contain '\u0009'")]
    public void Check_SaysWhatIsWrong(string template, string message)
    {
        Assert.Contains(message, FileNameTemplate.Check(template), StringComparison.Ordinal);
    }
}
