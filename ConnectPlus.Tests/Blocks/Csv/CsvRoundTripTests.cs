using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Csv;

/// <summary>What Write CSV writes, Read CSV reads back unchanged.</summary>
public sealed class CsvRoundTripTests
{
    private static readonly string[] Columns = ["id", "text", "more, columns", "ünïcödé \"name\""];

    // A value never reads back as null: CSV has no null, an empty field reads as "" (empty text).
    private static readonly string?[][] Tricky =
    [
        ["1", "plain", "", "Zoë"],
        ["2", "comma, inside", "semi;colon|pipe\ttab", "quote \"inside\" and \"\" doubled"],
        ["3", "\"starts with a quote", "ends with a quote\"", "\""],
        ["4", "line\nbreak", "crlf\r\nbreak", "lone\rcarriage"],
        ["5", "  leading and trailing  ", " ", "\n"],
        ["6", "日本語のテキスト", "emoji 😀👍🏽", "e\u0301 combining"],
        ["7", "=SUM(A1:A2)", "-5", "@user +1"],
        ["8", "\\back\\slash\\", "#hash", "'single'"],
        ["9", "", "", ""],
        ["10", "\uFEFFstarts with a BOM character", "x", "y"],
    ];

    [Theory]
    [InlineData(",", "asNeeded", "utf8", "crlf")]
    [InlineData(";", "always", "utf8Bom", "lf")]
    [InlineData(@"\t", "asNeeded", "utf16", "crlf")]
    [InlineData("|", "always", "utf8", "lf")]
    public async Task ReadCsv_ReadsBackWhatWriteCsvWrote(string delimiter, string quoting, string encoding, string lineEnding)
    {
        var written = await BlockHarness.For("write-csv", new { delimiter, quoting, encoding, lineEnding, fileNameTemplate = "trip.csv" })
            .WithRecords("records", Columns, Tricky).RunAsync();
        written.AssertSucceeded();

        var read = await BlockHarness.For("read-csv", new { delimiter })
            .WithLocalFiles("files", Assert.Single(written.Files("files")).CopyPath).RunAsync();

        read.AssertSucceeded();
        Assert.Empty(read.Records("rejected").Rows);
        var records = read.Records("records");
        Assert.Equal(Columns, records.Schema!.Columns);
        Assert.Equal(Tricky.Select(r => r.Select(v => (string?)(v ?? "")).ToArray()), records.Rows.Select(r => r.Values));
    }

    [Fact]
    public async Task ReadCsv_ReadsBackAZippedFile_AfterUnzipping()
    {
        var written = await BlockHarness.For("write-csv", new { zip = true, fileNameTemplate = "trip.csv" })
            .WithRecords("records", Columns, Tricky).RunAsync();
        written.AssertSucceeded();
        var folder = new TempFolder();
        System.IO.Compression.ZipFile.ExtractToDirectory(Assert.Single(written.Files("files")).CopyPath, folder.Path);

        var read = await BlockHarness.For("read-csv").WithLocalFiles("files", folder["trip.csv"]).RunAsync();

        read.AssertSucceeded();
        Assert.Equal(Tricky.Select(r => r.Select(v => (string?)(v ?? "")).ToArray()), read.Records("records").Rows.Select(r => r.Values));
    }

    [Theory]
    [InlineData("latin1")]
    [InlineData("windows1252")]
    public async Task ReadCsv_ReadsBackSingleByteEncodings(string encoding)
    {
        string?[][] western = [["1", "Zoë, \"Ñandú\"", "ß\r\nÆ", "¿qué?"], ["2", "", " café ", "naïve"]];
        var written = await BlockHarness.For("write-csv", new { encoding, fileNameTemplate = "trip.csv" })
            .WithRecords("records", Columns, western).RunAsync();
        written.AssertSucceeded();

        var read = await BlockHarness.For("read-csv", new { encoding })
            .WithLocalFiles("files", Assert.Single(written.Files("files")).CopyPath).RunAsync();

        read.AssertSucceeded();
        Assert.Equal(western.Select(r => r.Select(v => (string?)(v ?? "")).ToArray()), read.Records("records").Rows.Select(r => r.Values));
    }
}
