using System.IO.Compression;
using System.Text;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Csv;

public sealed class WriteCsvBlockTests
{
    private static readonly string[] Columns = ["id", "name", "note"];

    private static Task<HarnessResult> Write(object? settings, params string?[][] rows) =>
        BlockHarness.For("write-csv", settings).WithRecords("records", Columns, rows).RunAsync();

    private static byte[] Bytes(HarnessResult result) => File.ReadAllBytes(Assert.Single(result.Files("files")).CopyPath);

    private static string Text(HarnessResult result) => Encoding.UTF8.GetString(Bytes(result));

    private static List<ValidationIssue> Validate(object settings) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(BlockHarness.For("write-csv", settings).BuildDataflow())
            .Where(i => i.NodeId == "block" && i.Port is null).ToList();

    private static IEnumerable<string> Messages(RecordingObserver observer, RunLogLevel level) =>
        observer.Log.Where(l => l.Level == level && l.NodeId == "block").Select(l => l.Message);

    // Runs write-csv over batches of different schemas (the harness feeds one schema per port).
    private static async Task<(RunResult Run, HarnessData Data, RecordingObserver Observer)> WriteBatches(object? settings, params RecordBatch[] batches)
    {
        var folder = new TempFolder();
        var data = new HarnessData(folder["out"]);
        data.RecordInputs["records"] = [.. batches];
        var dataflow = BlockHarness.For("write-csv", settings).WithRecords("records", Columns).BuildDataflow();
        var observer = new RecordingObserver();
        var run = await new DataflowRunner(BlockHarness.Catalog).RunAsync(dataflow,
            new RunOptions { WorkRoot = folder["work"], OutputFolder = folder["runs"], Services = data }, observer);
        return (run, data, observer);
    }

    private static RecordBatch Batch(string[] columns, params string?[][] rows) =>
        new(new RecordSchema(columns), [.. rows.Select((r, i) => new Record(r, new SourceRef("members.csv", i + 2)))]);

    // ---- valid input -------------------------------------------------------------------------

    [Fact]
    public async Task Run_WritesHeaderAndRows_QuotingOnlyWhatNeedsIt()
    {
        var result = await Write(null,
            ["1", "Asha", "a, b"],
            ["2", "Ravi \"R\"", "line1\nline2"],
            ["3", null, ""]);

        result.AssertSucceeded();
        Assert.Equal("id,name,note\r\n1,Asha,\"a, b\"\r\n2,\"Ravi \"\"R\"\"\",\"line1\nline2\"\r\n3,,\r\n", Text(result));
        Assert.Equal(1, result.Stats.FilesOut);
        Assert.Contains(Messages(result.Observer, RunLogLevel.Info), m => m.Contains(": 3 rows written", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(",", "asNeeded", "utf8", "crlf")]
    [InlineData(";", "always", "utf8Bom", "lf")]
    [InlineData("tab", "asNeeded", "utf8Bom", "lf")]
    public async Task Run_WritesCsvWritersBytes_ForRowsOfAwkwardValues(string delimiter, string quoting, string encoding, string lineEnding)
    {
        // The UTF-8 files are written by Utf8CsvRecordWriter: the bytes must be CsvWriter's for the same options.
        string[] pieces = ["", "a", "word", ",", ";", "\t", "\"", "\r", "\n", "\r\n", " lead", "trail ", "é", "€", "😀", "\uD800", "\uDC00", "x,y\"z"];
        var random = new Random(11);
        var rows = Enumerable.Range(0, 2500).Select(_ => new[]
        {
            (string?)random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            random.Next(8) == 0 ? null : string.Concat(Enumerable.Range(0, random.Next(5)).Select(_ => pieces[random.Next(pieces.Length)])),
            pieces[random.Next(pieces.Length)],
        }).ToArray();

        var result = await BlockHarness.For("write-csv", new { delimiter, quoting, encoding, lineEnding }).WithBatchSize(97).WithRecords("records", Columns, rows).RunAsync();

        result.AssertSucceeded();
        var options = CsvHelper.CsvWriterOptions.Default with
        {
            Separator = delimiter == "tab" ? '\t' : delimiter[0],
            Quoting = quoting == "always" ? CsvHelper.CsvQuoting.Always : CsvHelper.CsvQuoting.WhenNeeded,
            NewLine = lineEnding == "lf" ? "\n" : "\r\n",
            WriteByteOrderMark = encoding == "utf8Bom",
        };
        var expected = new MemoryStream();
        await using (var csv = CsvHelper.CsvWriter.Create(expected, options, leaveOpen: true))
        {
            csv.WriteHeader(Columns);
            foreach (var row in rows) csv.WriteRecord(row!);
        }
        Assert.Equal(expected.ToArray(), Bytes(result));
    }

    [Fact]
    public async Task Run_NamesTheFileWithTheDefaultTemplate_FromTheRunStartInUtc()
    {
        var result = await Write(null, ["1", "A", "x"]);

        result.AssertSucceeded();
        var file = Assert.Single(result.Files("files"));
        Assert.Equal($"output_{result.Run.Started.UtcDateTime:yyyyMMdd}.csv", file.Item.Name);
        Assert.Equal(new FileInfo(file.CopyPath).Length, file.Item.Size);
    }

    [Fact]
    public async Task Run_ExpandsSourceRunAndNodeTokens()
    {
        var result = await Write(new { fileNameTemplate = "{source}_{run}_{node}.csv" }, ["1", "A", "x"]);

        result.AssertSucceeded();
        Assert.Equal($"input_{result.Run.RunId}_block.csv", Assert.Single(result.Files("files")).Item.Name);
    }

    [Fact]
    public async Task Run_QuotesEveryField_WhenQuotingIsAlways()
    {
        var result = await Write(new { quoting = "always" }, ["1", null, "x"]);

        result.AssertSucceeded();
        Assert.Equal("\"id\",\"name\",\"note\"\r\n\"1\",\"\",\"x\"\r\n", Text(result));
    }

    [Fact]
    public async Task Run_WritesNoQuotes_AndRejectsRowsThatNeedThem_WhenQuotingIsNever()
    {
        var result = await Write(new { quoting = "never" },
            ["1", "Asha \"A\"", "ok"],
            ["2", "Ravi", "a, b"],
            ["3", "Meena", "two\r\nlines"],
            ["4", "Kiran", "fine"]);

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal("id,name,note\r\n1,Asha \"A\",ok\r\n4,Kiran,fine\r\n", Text(result));
        var rejected = result.Records("rejected").Maps;
        Assert.Equal(["2", "3"], rejected.Select(r => r["id"]));
        Assert.All(rejected, r => Assert.Equal("CSV_UNQUOTABLE", r["error_code"]));
        Assert.Equal("input.csv line 3: Column 'note' holds the delimiter (','), which a file without quotes cannot hold. Set Quoting to asNeeded, or remove it with a Map block first.", rejected[0]["error_message"]);
        Assert.Contains("Column 'note' holds a line break", rejected[1]["error_message"], StringComparison.Ordinal);
        Assert.Equal(2, result.Stats.Rejected);
    }

    [Fact]
    public async Task Run_Fails_WhenAColumnNameNeedsQuotesAndQuotingIsNever()
    {
        var result = await BlockHarness.For("write-csv", new { quoting = "never" })
            .WithRecords("records", ["id", "last, first"], ["1", "x"]).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("The header row cannot be written: The column name 'last, first' holds the delimiter (',')", result.Run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(";", "id;name;note\r\n1;a,b;\"x;y\"\r\n")]
    [InlineData(@"\t", "id\tname\tnote\r\n1\ta,b\tx;y\r\n")]
    [InlineData("tab", "id\tname\tnote\r\n1\ta,b\tx;y\r\n")]
    public async Task Run_SeparatesFieldsWithTheDelimiter(string delimiter, string expected)
    {
        var result = await Write(new { delimiter }, ["1", "a,b", "x;y"]);

        result.AssertSucceeded();
        Assert.Equal(expected, Text(result));
    }

    [Fact]
    public async Task Run_EndsLinesWithLf_WhenLineEndingIsLf()
    {
        var result = await Write(new { lineEnding = "lf" }, ["1", "A", "x"], ["2", "B", "y"]);

        result.AssertSucceeded();
        Assert.Equal("id,name,note\n1,A,x\n2,B,y\n", Text(result));
    }

    [Fact]
    public async Task Run_LeavesTheHeaderOut_WhenHeaderIsOff()
    {
        var result = await Write(new { header = false }, ["1", "A", "x"]);

        result.AssertSucceeded();
        Assert.Equal("1,A,x\r\n", Text(result));
    }

    // ---- columns -------------------------------------------------------------------------------

    [Fact]
    public async Task Run_WritesTheConfiguredColumns_RenamedAndReordered()
    {
        var result = await Write("""{"columns": [{"name": "Note", "column": "NOTE"}, {"name": "Member ID", "column": "id"}, {"name": "name"}]}""",
            ["1", "Asha", "x"]);

        result.AssertSucceeded();
        Assert.Equal("Note,Member ID,name\r\nx,1,Asha\r\n", Text(result));
    }

    [Fact]
    public async Task Run_Fails_WhenAConfiguredColumnIsNotInTheInput()
    {
        var result = await Write("""{"columns": [{"name": "id"}, {"name": "Email", "column": "email"}]}""", ["1", "A", "x"]);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("Columns: column 'Email' takes its values from the input column 'email', which the input does not have. Available columns: id, name, note.", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FindsConfiguredColumnsByName_WhenTheInputSchemaChanges()
    {
        var (run, data, _) = await WriteBatches("""{"columns": [{"name": "id"}, {"name": "name"}]}""",
            Batch(["id", "name"], ["1", "A"]),
            Batch(["name", "city", "id"], ["B", "Pune", "2"]));

        Assert.True(run.IsSuccess, run.Error);
        var file = Assert.Single(data.FileOutputs["files"]);
        Assert.Equal("id,name\r\n1,A\r\n2,B\r\n", file.ReadText());
    }

    [Fact]
    public async Task Run_Fails_WhenTheInputSchemaChangesAndColumnsIsNotSet()
    {
        var (run, data, _) = await WriteBatches(null,
            Batch(["id", "name"], ["1", "A"]),
            Batch(["id", "name"], ["2", "B"]),
            Batch(["id", "city"], ["3", "Pune"]));

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.False(data.FileOutputs.TryGetValue("files", out var sent) && sent.Count > 0, "A failed write sends no file.");
        Assert.Contains("The input columns changed during the run (rows from members.csv line 2): the file has (id, name), these rows have (id, city). A CSV file has one header: set Columns",
            run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WritesAHeaderOnlyFile_WhenNoRowsArriveAndColumnsAreSet()
    {
        var result = await Write("""{"columns": [{"name": "id"}, {"name": "name"}]}""");

        result.AssertSucceeded();
        Assert.Equal("id,name\r\n", Text(result));
        Assert.Contains(Messages(result.Observer, RunLogLevel.Info), m => m.Contains(": 0 rows written", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_WritesAnEmptyFileWithAWarning_WhenNoRowsArriveAndColumnsAreNotSet()
    {
        var result = await Write(new { fileNameTemplate = "{source}.csv" });

        result.AssertSucceeded();
        var file = Assert.Single(result.Files("files"));
        Assert.Equal("output.csv", file.Item.Name);
        Assert.Empty(Bytes(result));
        Assert.Contains(Messages(result.Observer, RunLogLevel.Warning), m => m.StartsWith("No rows arrived and Columns is not set", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"whenNoRows": "skip", "columns": [{"name": "id"}]}""")]
    [InlineData("""{"whenNoRows": "skip", "zip": true}""")]
    public async Task Run_WritesAndSendsNoFile_WhenNoRowsArriveAndWhenNoRowsIsSkip(string settings)
    {
        var result = await Write(settings);

        result.AssertSucceeded();
        Assert.Empty(result.Files("files"));
        Assert.Contains(Messages(result.Observer, RunLogLevel.Info), m => m == "No rows arrived: no file written (When no rows: skip).");
        Assert.DoesNotContain(Messages(result.Observer, RunLogLevel.Warning), m => m.StartsWith("No rows arrived", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_StillWritesTheRows_WhenWhenNoRowsIsSkip()
    {
        var result = await Write("""{"whenNoRows": "skip"}""", ["1", "Asha", "x"]);

        result.AssertSucceeded();
        Assert.Equal("id,name,note\r\n1,Asha,x\r\n", Text(result));
    }

    // ---- encodings -----------------------------------------------------------------------------

    public static TheoryData<string, byte[]> EncodedOutputs() => new()
    {
        { "utf8", Encoding.UTF8.GetBytes("id,name,note\r\n1,Zoë €,x\r\n") },
        { "utf8Bom", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("id,name,note\r\n1,Zoë €,x\r\n")] },
        { "utf16", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("id,name,note\r\n1,Zoë €,x\r\n")] },
        { "windows1252", [.. "id,name,note\r\n1,Zo"u8, 0xEB, 0x20, 0x80, .. ",x\r\n"u8] },
    };

    [Theory]
    [MemberData(nameof(EncodedOutputs))]
    public async Task Run_EncodesTheFile(string encoding, byte[] expected)
    {
        var result = await Write(new { encoding }, ["1", "Zoë €", "x"]);

        result.AssertSucceeded();
        Assert.Equal(expected, Bytes(result));
    }

    [Fact]
    public async Task Run_WritesLatin1Bytes_WhenEncodingIsLatin1()
    {
        var result = await Write(new { encoding = "latin1" }, ["1", "Zoë ß", "x"]);

        result.AssertSucceeded();
        Assert.Equal([.. "id,name,note\r\n1,Zo"u8, 0xEB, 0x20, 0xDF, .. ",x\r\n"u8], Bytes(result));
    }

    [Theory]
    [InlineData("latin1", "Price €5", "Column 'note' holds '€' (U+20AC), which latin1 cannot hold.")]
    [InlineData("windows1252", "東京", "Column 'note' holds '東' (U+6771), which windows1252 cannot hold.")]
    [InlineData("windows1252", "ok 😀", "Column 'note' holds '😀' (U+1F600), which windows1252 cannot hold.")]
    [InlineData("windows1252", "Ā", "Column 'note' holds 'Ā' (U+0100), which windows1252 cannot hold.")]
    public async Task Run_RejectsRowsTheEncodingCannotHold(string encoding, string note, string message)
    {
        var result = await Write(new { encoding }, ["1", "A", note], ["2", "B", "fine"]);

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        var reject = Assert.Single(result.Records("rejected").Maps);
        Assert.Equal("CSV_UNENCODABLE", reject["error_code"]);
        Assert.Contains(message, reject["error_message"], StringComparison.Ordinal);
        Assert.Contains("Set Encoding to utf8 or utf16", reject["error_message"], StringComparison.Ordinal);
        Assert.Equal(note, reject["note"]);
        Assert.EndsWith("2,B,fine\r\n", Encoding.Latin1.GetString(Bytes(result)), StringComparison.Ordinal);
    }

    // ---- zip -----------------------------------------------------------------------------------

    [Fact]
    public async Task Run_ZipsTheCsv_WhenZipIsOn()
    {
        var result = await Write(new { zip = true, fileNameTemplate = "members_{node}.csv" }, ["1", "Asha", "x"]);

        result.AssertSucceeded();
        var file = Assert.Single(result.Files("files"));
        Assert.Equal("members_block.zip", file.Item.Name);
        using var zip = ZipFile.OpenRead(file.CopyPath);
        var entry = Assert.Single(zip.Entries);
        Assert.Equal("members_block.csv", entry.FullName);
        using var reader = new StreamReader(entry.Open());
        Assert.Equal("id,name,note\r\n1,Asha,x\r\n", reader.ReadToEnd());
    }

    [Fact]
    public async Task Run_ZipsAHeaderOnlyFile_WhenNoRowsArrive()
    {
        var result = await Write("""{"zip": true, "columns": [{"name": "id"}]}""");

        result.AssertSucceeded();
        using var zip = ZipFile.OpenRead(Assert.Single(result.Files("files")).CopyPath);
        using var reader = new StreamReader(Assert.Single(zip.Entries).Open());
        Assert.Equal("id\r\n", reader.ReadToEnd());
    }

    // ---- validation ----------------------------------------------------------------------------

    [Fact]
    public void Validate_AcceptsTheDefaults()
    {
        Assert.Empty(Validate(new { }));
    }

    [Theory]
    [InlineData("fileNameTemplate", """{"fileNameTemplate": ""}""", "Give a file name, e.g. output_{date:yyyyMMdd}.csv.")]
    [InlineData("fileNameTemplate", """{"fileNameTemplate": "out/{date}.csv"}""", "Give a file name, not a path")]
    [InlineData("fileNameTemplate", """{"fileNameTemplate": "{today}.csv"}""", "Unknown token {today}")]
    [InlineData("delimiter", """{"delimiter": ""}""", "Give one character")]
    [InlineData("delimiter", """{"delimiter": "\""}""", "The delimiter cannot be the quote character")]
    [InlineData("columns", """{"columns": [{"name": "id"}, {"name": " "}]}""", "Column 2 has no name.")]
    [InlineData("columns", """{"columns": [{"name": "id"}, {"name": "ID", "column": "x"}]}""", "'ID' is given twice.")]
    [InlineData("quoting", """{"quoting": "sometimes"}""", "Expected one of: asNeeded, always, never.")]
    [InlineData("encoding", """{"encoding": "ascii"}""", "Expected one of: utf8, utf8Bom, utf16, latin1, windows1252.")]
    [InlineData("lineEnding", """{"lineEnding": "cr"}""", "Expected one of: crlf, lf.")]
    public void Validate_ReportsTheSetting_WhenItIsWrong(string setting, string json, string message)
    {
        var issue = Assert.Single(Validate(json));
        Assert.Equal(setting, issue.Setting);
        Assert.Contains(message, issue.Message, StringComparison.Ordinal);
    }
}
