using System.Text;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Csv;

public sealed class ReadCsvBlockTests
{
    private static Task<HarnessResult> Read(object? settings, params (string Name, string Text)[] files) =>
        ReadBytes(settings, [.. files.Select(f => (f.Name, Encoding.UTF8.GetBytes(f.Text)))]);

    private static Task<HarnessResult> ReadBytes(object? settings, params (string Name, byte[] Bytes)[] files) =>
        ReadWith(BlockHarness.For("read-csv", settings), files);

    private static Task<HarnessResult> ReadWith(BlockHarness harness, params (string Name, byte[] Bytes)[] files)
    {
        var paths = files.Select(f =>
        {
            var path = Path.Combine(harness.Folder, "in", f.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, f.Bytes);
            return path;
        }).ToArray();
        return harness.WithLocalFiles("files", paths).RunAsync();
    }

    private static List<ValidationIssue> Validate(object settings) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(BlockHarness.For("read-csv", settings).BuildDataflow())
            .Where(i => i.NodeId == "block" && i.Port is null).ToList();

    private static IEnumerable<string> Messages(HarnessResult result, RunLogLevel level) =>
        result.Observer.Log.Where(l => l.Level == level && l.NodeId == "block").Select(l => l.Message);

    // ---- valid input -------------------------------------------------------------------------

    [Theory]
    [InlineData(false, "")]
    [InlineData(true, "")]
    [InlineData(false, "\\")]
    [InlineData(true, "\\")]
    public async Task Run_ReadsTheValuesCsvReaderGives_WhenRowsRepeatTheRowBeforesText(bool trimWhitespace, string escape)
    {
        // Read CSV takes the previous row's string again for a field of the same ASCII bytes: the values must be
        // those of CsvReader.GetString for every way the same text can be written (quoted, escaped, padded).
        string[] forms = ["a", "\"a\"", " a", "a ", "\" a \"", "a\\,b", "\"a,b\"", "a\\\\", "é", "\"\"", "", "ab", "\"a\"\"\"", "a\\b", "\\a"];
        var random = new Random(5);
        var text = new StringBuilder("x,y,z\n");
        for (var i = 0; i < 3000; i++)
            text.Append(forms[random.Next(forms.Length)]).Append(',').Append(forms[random.Next(4)]).Append(',').Append(forms[random.Next(forms.Length)]).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var settings = escape.Length > 0 ? (object)new { trimWhitespace, escape } : new { trimWhitespace };

        var result = await ReadBytes(settings, ("m.csv", bytes));

        var options = CsvHelper.CsvReaderOptions.Default with
        {
            Mode = escape.Length > 0 ? CsvHelper.CsvMode.Escape : CsvHelper.CsvMode.Rfc4180,
            TrimWhitespace = trimWhitespace,
            MalformedData = CsvHelper.CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvHelper.CsvFieldCountHandling.Allow,
            DetectSeparatorHint = false,
            TrackLineNumbers = true,
        };
        var expected = new Dictionary<long, string[]>();
        using (var csv = CsvHelper.CsvReader.Create(new MemoryStream(bytes), options))
        {
            while (csv.Read()) expected[csv.LineNumber] = [.. Enumerable.Range(0, csv.FieldCount).Select(csv.GetString)];
        }
        var rows = result.Records("records").Rows;
        Assert.True(rows.Count > 1500, $"{rows.Count} rows read");
        foreach (var row in rows) Assert.Equal(expected[row.Source.Line], row.Values);
    }

    [Fact]
    public async Task Run_ReadsRowsWithHeaderNamesFileAndLine()
    {
        var result = await Read(null, ("members.csv", "id,name,city\r\n1,Asha,Pune\r\n2,Ravi,Delhi\r\n"));

        result.AssertSucceeded();
        var records = result.Records("records");
        Assert.Equal(["id", "name", "city"], records.Schema!.Columns);
        Assert.Equal(["Asha", "Ravi"], records.Column("name"));
        Assert.Equal(new SourceRef[] { new("members.csv", 2), new("members.csv", 3) }, records.Rows.Select(r => r.Source));
        Assert.Equal(2, result.Stats.RowsOut);
        Assert.Contains(Messages(result, RunLogLevel.Info), m => m.StartsWith("members.csv: 2 rows read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_GivesPhysicalLineNumbers_WhenFieldsHoldLineBreaksAndBlankLinesAreSkipped()
    {
        var text = "id,note\n\n1,\"two\nlines\"\n\n\n2,\"a \"\"quoted\"\", comma\"\n3,last";

        var result = await Read(null, ("notes.csv", text));

        result.AssertSucceeded();
        var records = result.Records("records");
        Assert.Equal(["two\nlines", "a \"quoted\", comma", "last"], records.Column("note"));
        Assert.Equal([3L, 7L, 8L], records.Rows.Select(r => r.Source.Line));
    }

    [Fact]
    public async Task Run_SendsBatchesOfTheRunBatchSize()
    {
        var text = "n\n" + string.Concat(Enumerable.Range(1, 5).Select(i => $"{i}\n"));

        var result = await ReadWith(BlockHarness.For("read-csv").WithBatchSize(2), ("n.csv", Encoding.UTF8.GetBytes(text)));

        result.AssertSucceeded();
        Assert.Equal([2, 2, 1], result.Records("records").Batches.Select(b => b.Count));
        Assert.Equal(["1", "2", "3", "4", "5"], result.Records("records").Column("n"));
    }

    [Fact]
    public async Task Run_ReadsOnlyFilesMatchingThePattern_IgnoringCase()
    {
        var result = await Read(new { fileNamePattern = @"^members.*\.csv$" },
            ("MEMBERS_01.CSV", "id\n1\n"), ("bills.csv", "bill\nB1\n"), ("members_02.csv", "id\n2\n"));

        result.AssertSucceeded();
        Assert.Equal(["1", "2"], result.Records("records").Column("id"));
        Assert.Contains(Messages(result, RunLogLevel.Debug), m => m.Contains("bills.csv does not match", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Warns_WhenNoFileMatchesThePattern()
    {
        var result = await Read(new { fileNamePattern = @"\.csv$" }, ("readme.txt", "hello\n"));

        result.AssertSucceeded();
        Assert.Empty(result.Records("records").Rows);
        Assert.Contains(Messages(result, RunLogLevel.Warning), m => m.Contains("None of the 1 files", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_GivesEachFileItsOwnSchema_AndSharesOneWhenColumnsAreTheSame()
    {
        var result = await Read(null, ("a.csv", "id,name\n1,x\n"), ("b.csv", "code\nC\n"), ("c.csv", "code\nD\n"));

        result.AssertSucceeded();
        var batches = result.Records("records").Batches;
        Assert.Equal(3, batches.Count);
        Assert.Equal(["id", "name"], batches[0].Schema.Columns);
        Assert.Equal(["code"], batches[1].Schema.Columns);
        Assert.Same(batches[1].Schema, batches[2].Schema);
    }

    // ---- format options ------------------------------------------------------------------------

    [Theory]
    [InlineData(@"\t")]
    [InlineData("tab")]
    [InlineData("TAB")]
    [InlineData("\t")]
    public async Task Run_ReadsTabSeparatedFiles_WhenDelimiterIsTab(string delimiter)
    {
        var result = await Read(new { delimiter }, ("m.tsv", "id\tname\n1\tA, B\n"));

        result.AssertSucceeded();
        Assert.Equal(["A, B"], result.Records("records").Column("name"));
    }

    [Fact]
    public async Task Run_UsesDelimiterAndQuoteSettings()
    {
        var result = await Read(new { delimiter = ";", quote = "'" }, ("m.csv", "id;name\n1;'O''Brien; Pat'\n2;\"x\"\n"));

        result.AssertSucceeded();
        Assert.Equal(["O'Brien; Pat", "\"x\""], result.Records("records").Column("name"));
    }

    [Fact]
    public async Task Run_ReadsEscapedValues_WhenEscapeIsSet()
    {
        var result = await Read(new { escape = "\\" }, ("m.csv", "id,name\n1,a\\,b\n2,\"q\"\n3,back\\\\slash\n4,two\\\nlines\n"));

        result.AssertSucceeded();
        Assert.Equal(["a,b", "\"q\"", "back\\slash", "two\nlines"], result.Records("records").Column("name"));
    }

    [Theory]
    [InlineData(false, " Asha ", " id ")]
    [InlineData(true, "Asha", "id")]
    public async Task Run_TrimsValuesAndNames_OnlyWhenTrimWhitespaceIsOn(bool trimWhitespace, string expectedName, string expectedColumn)
    {
        var result = await Read(new { trimWhitespace }, ("m.csv", " id ,name\n1, Asha \n"));

        result.AssertSucceeded();
        var records = result.Records("records");
        Assert.Equal([expectedColumn, "name"], records.Schema!.Columns);
        Assert.Equal([expectedName], records.Column("name"));
    }

    [Fact]
    public async Task Run_KeepsSpacesInsideQuotes_WhenTrimming()
    {
        var result = await Read(new { trimWhitespace = true }, ("m.csv", "id,name\n1 ,  \" Asha \"  \n"));

        result.AssertSucceeded();
        Assert.Equal([" Asha "], result.Records("records").Column("name"));
        Assert.Equal(["1"], result.Records("records").Column("id"));
    }

    [Fact]
    public async Task Run_ReadsBlankLinesAsEmptyRows_WhenSkipBlankLinesIsOff()
    {
        var result = await Read(new { skipBlankLines = false }, ("m.csv", "id,name\n1,A\n\n2,B\n"));

        result.AssertSucceeded();
        var records = result.Records("records");
        Assert.Equal(["1", "", "2"], records.Column("id"));
        Assert.Equal(["A", "", "B"], records.Column("name"));
        Assert.Equal([2L, 3L, 4L], records.Rows.Select(r => r.Source.Line));
        Assert.Empty(result.Records("rejected").Rows);
    }

    // ---- headers -------------------------------------------------------------------------------

    [Fact]
    public async Task Run_NamesColumnsColumn1ToN_WhenThereIsNoHeaderRow()
    {
        var result = await Read(new { hasHeaderRow = false }, ("m.csv", "1,Asha\n2,Ravi\n"));

        result.AssertSucceeded();
        var records = result.Records("records");
        Assert.Equal(["column1", "column2"], records.Schema!.Columns);
        Assert.Equal(["1", "2"], records.Column("column1"));
        Assert.Equal([1L, 2L], records.Rows.Select(r => r.Source.Line));
    }

    [Fact]
    public async Task Run_UsesManualHeaders_WhenThereIsNoHeaderRow()
    {
        var result = await Read("""{"hasHeaderRow": false, "manualHeaders": ["id", "name"]}""", ("m.csv", "1,Asha\n"));

        result.AssertSucceeded();
        Assert.Equal(["Asha"], result.Records("records").Column("name"));
    }

    [Fact]
    public async Task Run_RejectsRowsOfAnotherWidthThanTheManualHeaders_WhenThereIsNoHeaderRow()
    {
        var result = await Read("""{"hasHeaderRow": false, "manualHeaders": ["id", "name"]}""", ("m.csv", "1,Asha\n2\n3,Ravi,Pune\n"));

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal(["1"], result.Records("records").Column("id"));
        Assert.Equal(["m.csv line 2: expected 2 fields, found 1; the missing fields are empty.", "m.csv line 3: expected 2 fields, found 3; only the first 2 are in the row. The line was: 3,Ravi,Pune"],
            result.Records("rejected").Column("error_message"));
    }

    [Fact]
    public async Task Run_ReplacesTheHeaderRow_WithManualHeaders()
    {
        var result = await Read("""{"manualHeaders": ["member_id", "member_name"]}""", ("m.csv", "ID,Name\n1,Asha\n"));

        result.AssertSucceeded();
        var records = result.Records("records");
        Assert.Equal(["member_id", "member_name"], records.Schema!.Columns);
        Assert.Equal(["Asha"], records.Column("member_name"));
    }

    [Fact]
    public async Task Run_Fails_WhenManualHeadersDoNotMatchTheHeaderRow()
    {
        var result = await Read("""{"manualHeaders": ["a", "b"]}""", ("m.csv", "x,y,z\n1,2,3\n"));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("m.csv has 3 columns in its header row, but Manual headers gives 2 names", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MakesRepeatedAndBlankHeaderNamesUnique_WithWarnings()
    {
        var result = await Read(null, ("m.csv", "email,email,,name,email\n1,2,3,4,5\n"));

        result.AssertSucceeded();
        Assert.Equal(["email", "email_2", "column3", "name", "email_3"], result.Records("records").Schema!.Columns);
        var warnings = Messages(result, RunLogLevel.Warning).ToList();
        Assert.Contains(warnings, m => m.Contains("renamed email → email_2, email → email_3", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.Contains("called column3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Warns_WhenTheFileIsEmpty()
    {
        var result = await Read(null, ("empty.csv", ""));

        result.AssertSucceeded();
        Assert.Empty(result.Records("records").Rows);
        Assert.Contains(Messages(result, RunLogLevel.Warning), m => m.StartsWith("empty.csv is empty", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ReadsNoRows_WhenTheFileHasOnlyAHeader()
    {
        var result = await Read(null, ("header.csv", "id,name\r\n"));

        result.AssertSucceeded();
        Assert.Empty(result.Records("records").Rows);
        Assert.Contains(Messages(result, RunLogLevel.Info), m => m.StartsWith("header.csv: 0 rows read", StringComparison.Ordinal));
        Assert.DoesNotContain(Messages(result, RunLogLevel.Warning), m => m.Contains("header.csv", StringComparison.Ordinal));
    }

    // ---- encodings -----------------------------------------------------------------------------

    public static TheoryData<string, byte[]> EncodedFiles() => new()
    {
        { "auto", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("id,name\n1,Zoë €\n")] },
        { "utf8", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("id,name\n1,Zoë €\n")] },
        { "latin1", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("id,name\n1,Zoë €\n")] },
        { "auto", Encoding.UTF8.GetBytes("id,name\n1,Zoë €\n") },
        { "auto", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("id,name\n1,Zoë €\n")] },
        { "latin1", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes("id,name\n1,Zoë €\n")] },
        { "utf16", Encoding.Unicode.GetBytes("id,name\n1,Zoë €\n") },
        { "windows1252", CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes("id,name\n1,Zoë €\n") },
        { "auto", CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes("id,name\n1,Zoë €\n") },
    };

    [Theory]
    [MemberData(nameof(EncodedFiles))]
    public async Task Run_DecodesTheFile_AndNeverKeepsTheByteOrderMark(string encoding, byte[] bytes)
    {
        var result = await ReadBytes(new { encoding }, ("m.csv", bytes));

        result.AssertSucceeded();
        var records = result.Records("records");
        Assert.Equal(["id", "name"], records.Schema!.Columns);
        Assert.Equal(["Zoë €"], records.Column("name"));
    }

    [Fact]
    public async Task Run_ReadsLatin1Bytes_WhenEncodingIsLatin1()
    {
        var result = await ReadBytes(new { encoding = "latin1" }, ("m.csv", Encoding.Latin1.GetBytes("id,name\n1,Zoë ñ ß\n")));

        result.AssertSucceeded();
        Assert.Equal(["Zoë ñ ß"], result.Records("records").Column("name"));
    }

    [Fact]
    public async Task Run_LogsTheEncodingChosen_WhenAutoFindsAFileThatIsNotUtf8()
    {
        var result = await ReadBytes(null, ("m.csv", Encoding.Latin1.GetBytes("id,name\n1,Zoë\n")));

        result.AssertSucceeded();
        Assert.Contains(Messages(result, RunLogLevel.Info), m => m.Contains("windows-1252 (the file is not UTF-8)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_FailsNamingFileAndLine_WhenUtf8TurnsInvalidAfterTheFirst64KiB()
    {
        var text = new StringBuilder("id,name\n");
        for (var i = 1; text.Length < 100_000; i++) text.Append(i).Append(",name ").Append(i).Append('\n');
        var lines = text.ToString().Count(c => c == '\n');
        byte[] bytes = [.. Encoding.UTF8.GetBytes(text.ToString()), .. Encoding.Latin1.GetBytes("99999,Zoë\n")];

        var result = await ReadBytes(null, ("big.csv", bytes));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"big.csv line {lines + 1} (byte", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("is not valid UTF-8", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("Set Encoding", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Fails_WhenEncodingIsUtf8AndTheFileIsNot()
    {
        var result = await ReadBytes(new { encoding = "utf8" }, ("m.csv", Encoding.Latin1.GetBytes("id,name\n1,Zoë\n")));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("m.csv line 2 (byte 13) is not valid UTF-8", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NamesThePhysicalLine_WhenTheInvalidByteIsInsideAMultiLineField()
    {
        byte[] bytes = [.. "id,note\n1,\"first\nsecond "u8, 0xE9, .. "\"\n2,x\n"u8];

        var result = await ReadBytes(new { encoding = "utf8" }, ("m.csv", bytes));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("m.csv line 3 (byte 25) is not valid UTF-8", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Records("records").Rows);
    }

    [Fact]
    public async Task Run_SaysTheHeaderRow_WhenTheInvalidByteIsInTheHeader()
    {
        byte[] bytes = [.. "id,caf"u8, 0xE9, .. "\n1,x\n"u8];

        var result = await ReadBytes(new { encoding = "utf8" }, ("m.csv", bytes));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("m.csv in the header row (byte 7) is not valid UTF-8", result.Run.Error, StringComparison.Ordinal);
    }

    public static TheoryData<byte[], string> NotTextFiles() => new()
    {
        { [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00], "it is a zip archive. Put an Unzip block before Read CSV." },
        { [0x1F, 0x8B, 0x08, 0x08, 0x61, 0x62, 0x63], "it is a gzip archive" },
        { [.. "%PDF-1.7\n"u8, 0x25, 0xE2, 0xE3], "it is a PDF document" },
        { [0x41, 0x2C, 0x42, 0x0A, 0x00, 0x01], "byte 5 is a NUL character" },
        { [.. Enumerable.Repeat((byte)0x41, 50), .. Enumerable.Repeat((byte)0x02, 5)], "5 of its first 55 bytes are control characters" },
    };

    [Theory]
    [MemberData(nameof(NotTextFiles))]
    public async Task Run_FailsNamingTheFile_WhenItIsNotText(byte[] bytes, string reason)
    {
        var result = await ReadBytes(null, ("data.csv", bytes));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"data.csv is not a text file: {reason}", result.Run.Error, StringComparison.Ordinal);
    }

    // ---- rejects -------------------------------------------------------------------------------

    [Fact]
    public async Task Run_RejectsRowsWithTheWrongFieldCount_AndGoesOn()
    {
        var result = await Read(null, ("members.csv", "id,name,city\n1,Asha,Pune\n2,Ravi,Delhi,extra,more\n3,Meena\n4,Kiran,Goa\n"));

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal(["1", "4"], result.Records("records").Column("id"));
        var rejected = result.Records("rejected").Maps;
        Assert.Equal(2, rejected.Count);
        Assert.Equal("CSV_FIELD_COUNT", rejected[0]["error_code"]);
        Assert.Equal("members.csv line 3: expected 3 fields, found 5; only the first 3 are in the row. The line was: 2,Ravi,Delhi,extra,more", rejected[0]["error_message"]);
        Assert.Equal(("2", "Ravi", "Delhi"), (rejected[0]["id"], rejected[0]["name"], rejected[0]["city"]));
        Assert.Equal(("members.csv", "3"), (rejected[0]["source_file"], rejected[0]["source_line"]));
        Assert.Equal("members.csv line 4: expected 3 fields, found 2; the missing fields are empty.", rejected[1]["error_message"]);
        Assert.Equal(("3", "Meena", null), (rejected[1]["id"], rejected[1]["name"], rejected[1]["city"]));
        Assert.Equal(2, result.Stats.Rejected);
    }

    [Fact]
    public async Task Run_RejectsRowsWithTextAfterAClosingQuote()
    {
        var result = await Read(null, ("m.csv", "id,name\n1,\"Asha\"x\n2,Ravi\n"));

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal(["2"], result.Records("records").Column("id"));
        var reject = Assert.Single(result.Records("rejected").Maps);
        Assert.Equal("CSV_MALFORMED", reject["error_code"]);
        Assert.Equal("m.csv line 2: text follows the closing quote of a quoted field (a quote inside a quoted field must be doubled: \"\"). The line was: 1,\"Asha\"x", reject["error_message"]);
        Assert.Equal("1", reject["id"]);
    }

    [Fact]
    public async Task Run_RejectsTheRow_WhenAQuoteIsNeverClosed()
    {
        var result = await Read(null, ("m.csv", "id,name\n1,Asha\n2,\"Ravi\n3,Meena\n4,Kiran\n"));

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal(["1"], result.Records("records").Column("id"));
        var reject = Assert.Single(result.Records("rejected").Maps);
        Assert.Equal("CSV_MALFORMED", reject["error_code"]);
        Assert.Equal("m.csv line 3: a quoted field is never closed, so the rest of the file (3 lines) was read into this row. Close the quote (or double it: \"\") and read the file again.", reject["error_message"]);
    }

    [Fact]
    public async Task Run_FailsNamingFileAndLine_WhenAnUnclosedQuoteRunsPast16MiB()
    {
        byte[] bytes = [.. "id,name\n1,Asha\n2,\""u8, .. Enumerable.Repeat((byte)'x', 17 * 1024 * 1024)];

        var result = await ReadBytes(null, ("huge.csv", bytes));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("huge.csv line 3: a row is longer than 16 MiB, which is almost always a quote that is never closed.", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KeepsAQuoteInsideAnUnquotedField_WithAWarning()
    {
        var result = await Read(null, ("m.csv", "id,size\n1,12\" pipe\n2,3\"\n"));

        result.AssertSucceeded();
        Assert.Equal(["12\" pipe", "3\""], result.Records("records").Column("size"));
        Assert.Contains(Messages(result, RunLogLevel.Warning), m => m.StartsWith("m.csv: 2 rows have a quote", StringComparison.Ordinal) && m.Contains("first at line 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_SendsRejectsToTheErrorFile_WhenRejectedIsNotLinked()
    {
        using var folder = new TempFolder();
        var data = new HarnessData(folder["out"]);
        data.FileInputs["files"] = [FileItem.FromLocalFile(folder.Write("m.csv", "id,name\n1\n2,B\n"))];
        var dataflow = BlockHarness.For("read-csv").WithLocalFiles("files", folder["m.csv"]).BuildDataflow();
        var withoutRejectLink = dataflow with
        {
            Edges = [.. dataflow.Edges.Where(e => e.From != "block:rejected")],
            Nodes = [.. dataflow.Nodes.Where(n => n.Id != "collect-rejected")],
        };
        var observer = new RecordingObserver();

        var run = await new DataflowRunner(BlockHarness.Catalog).RunAsync(withoutRejectLink,
            new RunOptions { WorkRoot = folder["work"], OutputFolder = folder["runs"], Services = data }, observer);

        Assert.Equal(RunOutcome.SucceededWithErrors, run.Outcome);
        var reject = Assert.Single(observer.Rejected);
        Assert.Equal("CSV_FIELD_COUNT", reject.Code);
        Assert.Equal(new SourceRef("m.csv", 2), reject.Row.Source);
        var errorFile = Assert.Single(Directory.GetFiles(folder["runs"], "errors-block.csv", SearchOption.AllDirectories));
        Assert.Contains("CSV_FIELD_COUNT", File.ReadAllText(errorFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KeepsAQuoteInsideAHeaderName_WithoutCountingItAsARowProblem()
    {
        var result = await Read(null, ("m.csv", "id,size\"\n1,2\n"));

        result.AssertSucceeded();
        Assert.Equal(["id", "size\""], result.Records("records").Schema!.Columns);
        Assert.DoesNotContain(Messages(result, RunLogLevel.Warning), m => m.Contains("rows have a quote", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Fails_WhenTheHeaderRowHasBadQuoting()
    {
        var result = await Read(null, ("m.csv", "id,\"name\"x\n1,2\n"));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("m.csv line 1: the header row has bad quoting", result.Run.Error, StringComparison.Ordinal);
    }

    // ---- validation ----------------------------------------------------------------------------

    [Fact]
    public void Validate_AcceptsTheDefaults()
    {
        Assert.Empty(Validate(new { }));
    }

    [Theory]
    [InlineData("fileNamePattern", "{\"fileNamePattern\":\"members(\"}", "not a valid regular expression")]
    [InlineData("delimiter", "{\"delimiter\":\"\"}", "Give one character")]
    [InlineData("delimiter", "{\"delimiter\":\";;\"}", "Give one character")]
    [InlineData("delimiter", "{\"delimiter\":\"é\"}", "Give one character")]
    [InlineData("quote", "{\"quote\":\"\"}", "Give one quote character")]
    [InlineData("quote", "{\"delimiter\":\"|\",\"quote\":\"|\"}", "The quote must differ from the delimiter.")]
    [InlineData("escape", "{\"escape\":\" \"}", "Give one escape character")]
    [InlineData("escape", "{\"escape\":\",\"}", "The escape character must differ from the delimiter.")]
    [InlineData("manualHeaders", "{\"manualHeaders\":[\"id\",\" \"]}", "Column 2 of Manual headers has no name.")]
    [InlineData("manualHeaders", "{\"manualHeaders\":[\"id\",\"id\"]}", "'id' is given twice in Manual headers.")]
    [InlineData("encoding", "{\"encoding\":\"ebcdic\"}", "Expected one of: auto, utf8, utf16, latin1, windows1252.")]
    public void Validate_ReportsTheSetting_WhenItIsWrong(string setting, string json, string message)
    {
        var issue = Assert.Single(Validate(json));
        Assert.Equal(setting, issue.Setting);
        Assert.Contains(message, issue.Message, StringComparison.Ordinal);
    }
}
