using System.Text;
using ConnectPlus.Engine.Blocks.Csv;
using CsvHelper;

namespace ConnectPlus.Tests.Blocks.Csv;

// Utf8CsvRecordWriter must write exactly CsvWriter's bytes for every option set it claims (Supports):
// each test writes the same records with both and compares the bytes.
public sealed class Utf8CsvRecordWriterTests
{
    private static readonly char[] Separators = [',', ';', '\t', '|', ' ', 'a', '\\', '\x01', '\x7F'];

    // Pieces fields are made of: what needs quotes, whitespace, non-ASCII of 2, 3 and 4 bytes, lone surrogates.
    private static readonly string[] Pieces =
    [
        "", "a", "Z9", "abc", "word", "longer words here", ",", ";", "\t", "|", " ", "a", "\\", "\x01", "\x7F", "\"", "\"\"",
        "\r", "\n", "\r\n", "\n\r", "  lead", "trail  ", "é", "€", "ü", "😀", "\uD800", "\uDC00", "\uDBFF\uDFFF", "\u0080", "\u07FF", "\uFFFD",
    ];

    public static TheoryData<char, CsvQuoting, string, bool> Options()
    {
        var data = new TheoryData<char, CsvQuoting, string, bool>();
        foreach (var separator in Separators)
        {
            foreach (var quoting in new[] { CsvQuoting.WhenNeeded, CsvQuoting.Always })
            {
                foreach (var newLine in new[] { "\r\n", "\n" })
                {
                    foreach (var bom in new[] { false, true }) data.Add(separator, quoting, newLine, bom);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Options))]
    public async Task WriteRecord_WritesCsvWritersBytes_ForGeneratedRecords(char separator, CsvQuoting quoting, string newLine, bool bom)
    {
        var options = CsvWriterOptions.Default with { Separator = separator, Quoting = quoting, NewLine = newLine, WriteByteOrderMark = bom };
        var random = new Random(separator * 31 + (int)quoting * 7 + newLine.Length * 3 + (bom ? 1 : 0));
        var rows = Enumerable.Range(0, 3000).Select(_ => Row(random, 7)).ToList();
        string[] header = ["id", "name with space", "a,b", "q\"uote", "é", "line\nbreak", ""];

        await AssertSameBytes(options, header, rows, [0, 1, 2, 3, 4, 5, 6]);
    }

    [Theory]
    [MemberData(nameof(Options))]
    public async Task WriteRecord_WritesCsvWritersBytes_ForFieldsOfEveryLengthWithOneOddCharAnywhere(char separator, CsvQuoting quoting, string newLine, bool bom)
    {
        // Every length around the 2-, 4- and 8-char pieces the ASCII path reads, with each odd char at each position.
        var options = CsvWriterOptions.Default with { Separator = separator, Quoting = quoting, NewLine = newLine, WriteByteOrderMark = bom };
        string[] odd = [separator.ToString(), "\"", "\r", "\n", "é", "😀", "\uD800", "\u0080", "\u00FF", "\u0100", "\u7F80"];
        var rows = new List<string?[]>();
        for (var length = 0; length <= 40; length++)
        {
            var plain = new string([.. Enumerable.Range(0, length).Select(i => (char)('A' + (i % 26)))]);
            rows.Add([plain, plain, null]);
            foreach (var c in odd)
            {
                for (var at = 0; at < length; at++) rows.Add([plain[..at] + c + plain[(at + 1)..], plain, ""]);
            }
        }

        await AssertSameBytes(options, null, rows, [0, 1, 2]);
    }

    [Theory]
    [InlineData(CsvQuoting.WhenNeeded)]
    [InlineData(CsvQuoting.Always)]
    public async Task WriteRecord_WritesCsvWritersBytes_ForFieldsLongerThanTheBuffer(CsvQuoting quoting)
    {
        var options = CsvWriterOptions.Default with { Quoting = quoting };
        var random = new Random(7);
        var longAscii = new string('x', 300_000);
        var longQuoted = string.Concat(Enumerable.Range(0, 50_000).Select(_ => Pieces[random.Next(Pieces.Length)]));
        var longWide = string.Concat(Enumerable.Repeat("€😀é", 60_000));
        List<string?[]> rows = [["a", longAscii, "b"], [longQuoted, "", null], ["x", "y", longWide], .. Enumerable.Range(0, 2000).Select(_ => Row(random, 3))];

        await AssertSameBytes(options, ["h1", "h2", "h3"], rows, [0, 1, 2]);
    }

    [Theory]
    [InlineData(CsvQuoting.WhenNeeded, true)]
    [InlineData(CsvQuoting.Always, true)]
    [InlineData(CsvQuoting.WhenNeeded, false)]
    [InlineData(CsvQuoting.Always, false)]
    public async Task WriteRecord_WritesCsvWritersBytes_WhenALongFieldGrowsTheBufferInTheMiddleOfARecord(CsvQuoting quoting, bool flush)
    {
        // Long fields after short ones of the same record, arriving with the buffer more or less full (and, unflushed,
        // with it grown several times): the fields before and after the growth must stay as written.
        var options = CsvWriterOptions.Default with { Quoting = quoting };
        var random = new Random(quoting == CsvQuoting.Always ? 11 : 12);
        var rows = new List<string?[]>();
        for (var n = 0; n < 400; n++)
        {
            if (n % 37 == 5)
            {
                var length = random.Next(5_000, 70_000);
                var longField = random.Next(3) switch
                {
                    0 => new string('x', length),
                    1 => string.Concat(Enumerable.Range(0, length / 4).Select(_ => Pieces[random.Next(Pieces.Length)])),
                    _ => string.Concat(Enumerable.Repeat("é€😀,\"", length / 8)),
                };
                rows.Add(["a", Pieces[random.Next(Pieces.Length)], longField, "b\"c", random.Next(2) == 0 ? null : longField[..(length / 3)]]);
            }
            else
            {
                rows.Add(Row(random, 5));
            }
        }

        await AssertSameBytes(options, ["h1", "h2", "h3", "h4", "h5"], rows, [0, 1, 2, 3, 4], flush);
    }

    [Theory]
    [InlineData(CsvQuoting.WhenNeeded)]
    [InlineData(CsvQuoting.Always)]
    public async Task WriteRecord_WritesCsvWritersBytes_ForBillRowsThatRepeatTheirValues(CsvQuoting quoting)
    {
        // Rows as the CSV reader and the API sink give them: a bill's values on each of its lines as the same string,
        // or as equal but other strings, or changing from line to line; result columns of a few strings; a map that
        // reorders, repeats and reads beyond the row. Over several flushes.
        var options = CsvWriterOptions.Default with { Quoting = quoting };
        var random = new Random(quoting == CsvQuoting.Always ? 21 : 22);
        string[] statuses = ["success", "already_delivered", "a,b", "q\"q", "é"];
        var rows = new List<string?[]>();
        while (rows.Count < 20_000)
        {
            var bill = Row(random, 6);
            var entity = random.Next(4) == 0 ? null : random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var status = statuses[random.Next(statuses.Length)];
            for (var line = random.Next(1, 5); line > 0; line--)
            {
                var values = Row(random, 10);
                for (var i = 0; i < 6; i++)
                {
                    values[i] = random.Next(4) switch
                    {
                        0 => bill[i] is null ? null : new string(bill[i].AsSpan()),
                        1 => Pieces[random.Next(Pieces.Length)],
                        _ => bill[i],
                    };
                }
                values[7] = status;
                values[8] = entity;
                rows.Add(values);
            }
        }

        await AssertSameBytes(options, null, rows, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 0, 12]);
    }

    [Theory]
    [InlineData(CsvQuoting.WhenNeeded)]
    [InlineData(CsvQuoting.Always)]
    public async Task WriteRecord_WritesARecordOfOneEmptyFieldAsCsvWriterDoes(CsvQuoting quoting)
    {
        var options = CsvWriterOptions.Default with { Quoting = quoting };

        await AssertSameBytes(options, ["only"], [[""], [null], ["x"], [" "], ["\""], []], [0]);
    }

    [Fact]
    public async Task WriteRecord_ReadsAMissingValueAsAnEmptyField()
    {
        // The map points beyond a short row: Record's indexer reads null there.
        await AssertSameBytes(CsvWriterOptions.Default, null, [["a"], ["a", "b", "c", "d"], []], [2, 0, 5, 1]);
    }

    [Fact]
    public void WriteRecord_ThrowsAsCsvWriterDoes_ForARecordWithoutFields()
    {
        using var csv = CsvWriter.Create(new MemoryStream(), CsvWriterOptions.Default);
        var expected = Assert.ThrowsAny<Exception>(() => csv.WriteRecord(Array.Empty<string>()));
        var fast = Utf8CsvRecordWriter.Create(new MemoryStream(), CsvWriterOptions.Default);

        var actual = Assert.ThrowsAny<Exception>(() => fast.WriteRecord(["a"], []));

        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Message, actual.Message);
    }

    [Fact]
    public void WriteRecord_ThrowsAsCsvWriterDoes_ForARecordOfAnotherFieldCount()
    {
        using var csv = CsvWriter.Create(new MemoryStream(), CsvWriterOptions.Default);
        csv.WriteHeader(["a", "b"]);
        csv.WriteRecord(["1", "2"]);
        var expected = Assert.ThrowsAny<Exception>(() => csv.WriteRecord(["1"]));
        var fast = Utf8CsvRecordWriter.Create(new MemoryStream(), CsvWriterOptions.Default);
        fast.WriteRecord(["a", "b"]);
        fast.WriteRecord(["1", "2"], [0, 1]);

        var actual = Assert.ThrowsAny<Exception>(() => fast.WriteRecord(["1"], [0]));

        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Message, actual.Message);
    }

    [Fact]
    public async Task WriteRecord_WritesRecordsOfAnyFieldCount_WhenFieldCountsAreNotValidated()
    {
        var options = CsvWriterOptions.Default with { ValidateFieldCount = false };

        await AssertSameBytes(options, ["a", "b"], [["1", "2", "3"], ["1", "", "3"]], [0, 1, 2]);
    }

    [Fact]
    public async Task DisposeAsync_WritesOnlyTheByteOrderMark_WhenNothingWasWritten()
    {
        await AssertSameBytes(CsvWriterOptions.Default with { WriteByteOrderMark = true }, null, [], [0]);
        await AssertSameBytes(CsvWriterOptions.Default, null, [], [0]);
    }

    [Fact]
    public void Supports_RefusesTheOptionsItDoesNotWriteAsCsvWriterDoes()
    {
        var options = CsvWriterOptions.Default;
        Assert.True(Utf8CsvRecordWriter.Supports(options));
        Assert.True(Utf8CsvRecordWriter.Supports(options with { Separator = '\t', Quoting = CsvQuoting.Always, NewLine = "\n", WriteByteOrderMark = true }));

        Assert.False(Utf8CsvRecordWriter.Supports(options with { Mode = CsvMode.NoEscape }));
        Assert.False(Utf8CsvRecordWriter.Supports(options with { Mode = CsvMode.Escape }));
        Assert.False(Utf8CsvRecordWriter.Supports(options with { Quoting = CsvQuoting.WhenNeededOrWhitespace }));
        Assert.False(Utf8CsvRecordWriter.Supports(options with { NewLine = "\r" }));
        Assert.False(Utf8CsvRecordWriter.Supports(options with { NullValue = "NULL" }));
        Assert.False(Utf8CsvRecordWriter.Supports(options with { CommentPrefix = '#' }));
        Assert.False(Utf8CsvRecordWriter.Supports(options with { Injection = CsvInjection.Escape }));
        Assert.False(Utf8CsvRecordWriter.Supports(options with { ShouldQuote = (_, _, _, _) => true }));
        Assert.False(Utf8CsvRecordWriter.Supports(options with { Separator = '"' }));
        Assert.False(Utf8CsvRecordWriter.Supports(options with { Separator = '\0' }));
        Assert.False(Utf8CsvRecordWriter.Supports(options with { Separator = 'é' }));
    }

    private static string?[] Row(Random random, int fields)
    {
        var row = new string?[fields];
        for (var i = 0; i < fields; i++)
        {
            var kind = random.Next(10);
            row[i] = kind switch
            {
                0 => null,
                1 => "",
                < 6 => Pieces[random.Next(Pieces.Length)],
                _ => string.Concat(Enumerable.Range(0, 1 + random.Next(6)).Select(_ => Pieces[random.Next(Pieces.Length)])),
            };
        }
        return row;
    }

    private static async Task AssertSameBytes(CsvWriterOptions options, string[]? header, List<string?[]> rows, int[] map, bool flush = true)
    {
        var expected = await WithCsvWriter(options, header, rows, map);
        var actual = await WithFastWriter(options, header, rows, map, flush);

        Assert.True(Utf8CsvRecordWriter.Supports(options));
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"First difference at byte {FirstDifference(expected, actual)} of {expected.Length}: expected {Around(expected, actual, expected)}, got {Around(expected, actual, actual)}");
    }

    // As WriteCsvBlock used CsvWriter: a copy of the row's mapped values per record.
    private static async Task<byte[]> WithCsvWriter(CsvWriterOptions options, string[]? header, List<string?[]> rows, int[] map)
    {
        var stream = new MemoryStream();
        await using (var csv = CsvWriter.Create(stream, options, leaveOpen: true))
        {
            if (header is not null) csv.WriteHeader(header);
            var values = new string?[map.Length];
            foreach (var row in rows)
            {
                for (var i = 0; i < map.Length; i++) values[i] = (uint)map[i] < (uint)row.Length ? row[map[i]] : null;
                await csv.WriteRecordAsync(values!, CancellationToken.None);
            }
        }
        return stream.ToArray();
    }

    // flush: as Write CSV does (the buffer is written whenever it is full); otherwise it grows to hold everything.
    private static async Task<byte[]> WithFastWriter(CsvWriterOptions options, string[]? header, List<string?[]> rows, int[] map, bool flush)
    {
        var stream = new MemoryStream();
        await using (var csv = Utf8CsvRecordWriter.Create(stream, options))
        {
            if (header is not null) csv.WriteRecord(header);
            foreach (var row in rows)
            {
                csv.WriteRecord(row, map);
                if (flush && csv.IsFull) await csv.FlushBufferAsync(CancellationToken.None);
            }
        }
        return stream.ToArray();
    }

    private static int FirstDifference(byte[] a, byte[] b)
    {
        var common = a.AsSpan().CommonPrefixLength(b);
        return common;
    }

    private static string Around(byte[] a, byte[] b, byte[] which)
    {
        var at = FirstDifference(a, b);
        var start = Math.Max(0, at - 20);
        var end = Math.Min(which.Length, at + 20);
        return Convert.ToHexString(which, start, end - start) + " (" + Encoding.UTF8.GetString(which, start, end - start).ReplaceLineEndings("⏎") + ")";
    }
}
