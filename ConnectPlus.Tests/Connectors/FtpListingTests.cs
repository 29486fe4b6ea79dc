using ConnectPlus.Engine.Connectors.Ftp;

namespace ConnectPlus.Tests.Connectors;

public sealed class FtpListingTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parse_ReadsUnixLine_WithTimeInThisYear()
    {
        var entry = FtpListing.Parse("-rw-r--r--    1 1001     1001         1234 Mar 09 11:17 members 2026.csv", Now);

        Assert.Equal(new FtpListEntry("members 2026.csv", '-', 1234, new DateTimeOffset(2026, 3, 9, 11, 17, 0, TimeSpan.Zero)), entry);
    }

    [Fact]
    public void Parse_PutsTimeWithoutYear_InLastYear_WhenItWouldBeInTheFuture()
    {
        var entry = FtpListing.Parse("-rw-r--r--    1 ftp      ftp            5 Nov 27 23:59 old.csv", Now);

        Assert.Equal(new DateTimeOffset(2025, 11, 27, 23, 59, 0, TimeSpan.Zero), entry?.Modified);
    }

    [Fact]
    public void Parse_ReadsYearForm_AndFolders_AndLinks_AndLinesWithoutGroup()
    {
        var old = FtpListing.Parse("-rw-r--r--    1 1001     1001           14 Feb 29  2024 leap.csv", Now);
        var folder = FtpListing.Parse("drwxr-xr-x    2 1001     1001         4096 Mar 01 08:00 in", Now);
        var link = FtpListing.Parse("lrwxrwxrwx    1 0        0              11 Mar 01 08:00 latest.csv -> a/b.csv", Now);
        var noGroup = FtpListing.Parse("-rw-r--r-- 1 owner 77 Jan  2 03:04 x.csv", Now);

        Assert.Equal(new DateTimeOffset(2024, 2, 29, 0, 0, 0, TimeSpan.Zero), old?.Modified);
        Assert.Equal(('d', "in"), (folder?.Kind, folder?.Name));
        Assert.Equal(('l', "latest.csv"), (link?.Kind, link?.Name));
        Assert.Equal((77L, "x.csv"), (noGroup?.Size, noGroup?.Name));
    }

    [Fact]
    public void Parse_ReadsDosLines()
    {
        var file = FtpListing.Parse("03-09-26  11:17AM                 1234 members.csv", Now);
        var folder = FtpListing.Parse("03-09-26  01:05PM       <DIR>          archive", Now);

        Assert.Equal(new FtpListEntry("members.csv", '-', 1234, new DateTimeOffset(2026, 3, 9, 11, 17, 0, TimeSpan.Zero)), file);
        Assert.Equal(new FtpListEntry("archive", 'd', 0, new DateTimeOffset(2026, 3, 9, 13, 5, 0, TimeSpan.Zero)), folder);
    }

    [Theory]
    [InlineData("total 12")]
    [InlineData("")]
    [InlineData("-rw-r--r--    1 1001     1001         1234 Foo 09 11:17 bad-month.csv")]
    public void Parse_IgnoresLinesThatAreNotEntries(string line)
    {
        Assert.Null(FtpListing.Parse(line, Now));
    }

    [Theory]
    [InlineData("in/a.csv", "done/a.csv", "../done/a.csv")]
    [InlineData("a.csv", "done/2026/a.csv", "done/2026/a.csv")]
    [InlineData("in/x/a.csv", "in/y/a.csv", "../y/a.csv")]
    [InlineData("out/.a.csv.123.part", "out/a.csv", "a.csv")]
    [InlineData("in/a.csv", "a.csv", "../a.csv")]
    public void RelativeTarget_ClimbsFromSourceFolder(string from, string to, string expected)
    {
        Assert.Equal(expected, FtpFileLocation.RelativeTarget(from, to));
    }
}
