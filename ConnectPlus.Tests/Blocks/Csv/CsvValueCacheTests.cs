using System.Text;
using ConnectPlus.Engine.Blocks.Csv;
using ConnectPlus.Tests.Harness;
using CsvHelper;

namespace ConnectPlus.Tests.Blocks.Csv;

/// <summary>
/// The read-csv block takes a field's string from <see cref="CsvValueCache"/>, which gives a string made
/// before for the same bytes: these tests check it against the reader's own <see cref="CsvReader.GetString(int)"/>
/// (the general path) on generated files, and the block's rows against a plain reading of the same files.
/// </summary>
public sealed class CsvValueCacheTests
{
    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with
    {
        Separator = ',',
        HasHeader = true,
        DetectSeparatorHint = false,
        TrackLineNumbers = true,
        MalformedData = CsvMalformedDataHandling.Recover,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        PoolStrings = false,
    };

    [Theory]
    [InlineData(1, "\n")]
    [InlineData(2, "\r\n")]
    [InlineData(3, "\n")]
    public void Get_GivesTheReadersString_ForEveryFieldOfGeneratedFiles(int seed, string newLine)
    {
        // More rows than a window and a pause, so columns stop looking and look again.
        var rows = CsvValueCache.Window * 3 + CsvValueCache.Pause + 500;
        var text = Generate(new Random(seed), rows, newLine, emptyLines: false, out _);
        using var csv = CsvReader.Create(Encoding.UTF8.GetBytes(text), Options);
        var cache = new CsvValueCache(Columns.Length);
        string?[]? previous = null;
        var read = 0;
        var reused = 0;
        while (csv.Read())
        {
            read++;
            var values = new string[csv.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = cache.Get(csv, i);
                Assert.Equal(csv.GetString(i), values[i]);
                if (previous is not null && ReferenceEquals(values[i], previous[i])) reused++;
            }
            previous = values;
        }
        Assert.Equal(rows, read);
        // The constant column alone repeats on every row: strings are given again, not only made.
        Assert.True(reused >= rows - 1, $"only {reused} strings were given again");
    }

    [Theory]
    [InlineData(31, CsvMode.Rfc4180, false)]
    [InlineData(32, CsvMode.Rfc4180, true)]
    [InlineData(33, CsvMode.Escape, false)]
    [InlineData(34, CsvMode.Escape, true)]
    public void Get_GivesTheReadersString_WhenTablesGrow_InEveryModeAndTrimming(int seed, CsvMode mode, bool trim)
    {
        // A catalog of 1000 values (more than a first table holds), drawn at random: the column's table grows;
        // beside it values that repeat on the next line, values of 2 to 30 bytes that share all but one
        // byte or differ in length only, non-ASCII, quoted or escaped separators, and padding to trim.
        var random = new Random(seed);
        var catalog = Enumerable.Range(0, 1000).Select(i => $"SKU{i * 7919 % 100000:D6}").ToArray();
        string[] shapes = ["é", "ü1", "日本", "abc", "axc", "aaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaabaaaaaa", "aaaaaaaaabaaaaaaaaaaaaa", "naïve café crème brûlée", "x", ""];
        var separatorValue = mode == CsvMode.Escape ? "a\\,b" : "\"a,b\"";
        var text = new StringBuilder("catalog,repeat,shape,quoted,padded\n");
        var rows = CsvValueCache.Window * 12;
        var repeat = "";
        for (var row = 0; row < rows; row++)
        {
            if (random.Next(2) == 0) repeat = $"B{random.Next(1_000_000):D8}";
            text.Append(catalog[random.Next(catalog.Length)]).Append(',')
                .Append(repeat).Append(',')
                .Append(shapes[random.Next(shapes.Length)]).Append(',')
                .Append(random.Next(3) == 0 ? separatorValue : "plain").Append(',')
                .Append(random.Next(2) == 0 ? "  padded value " : "padded value").Append('\n');
        }
        var options = Options with { Mode = mode, TrimWhitespace = trim };
        using var csv = CsvReader.Create(Encoding.UTF8.GetBytes(text.ToString()), options);
        var cache = new CsvValueCache(5);
        var read = 0;
        var reused = 0;
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        while (csv.Read())
        {
            read++;
            for (var i = 0; i < csv.FieldCount; i++)
            {
                var value = cache.Get(csv, i);
                Assert.Equal(csv.GetString(i), value);
                if (i == 0 && seen.TryGetValue(value, out var before) && ReferenceEquals(before, value)) reused++;
                if (i == 0) seen[value] = value;
            }
        }
        Assert.Equal(rows, read);
        Assert.Equal(CsvValueCache.MaxSlots, cache.SlotsOf(0));
        // Once grown, the catalog's table holds most of its values: most repeats give the string made before.
        Assert.True(reused > rows / 4, $"only {reused} catalog strings were given again");
    }

    [Fact]
    public void Get_TellsApartValuesThatDifferInOneByteOrInLength()
    {
        // Every value of 1 to 30 bytes, then each with one byte changed (at every place), and one byte
        // longer or shorter: a byte that the cache's words did not hold would give the first string again.
        var lines = new StringBuilder("a\n");
        var expected = new List<string>();
        for (var length = 1; length <= 30; length++)
        {
            var original = new string('x', length);
            for (var at = 0; at < length; at++)
            {
                var changed = string.Concat(original.AsSpan(0, at), "y", original.AsSpan(at + 1));
                foreach (var value in new[] { original, changed, original, original + "x", original[..^1], changed })
                {
                    lines.Append('"').Append(value).Append("\"\n");
                    expected.Add(value);
                }
            }
        }
        using var csv = CsvReader.Create(Encoding.UTF8.GetBytes(lines.ToString()), Options);
        var cache = new CsvValueCache(1);
        var got = new List<string>();
        while (csv.Read()) got.Add(cache.Get(csv, 0));
        Assert.Equal(expected, got);
    }

    [Theory]
    [InlineData(11, "\n", true)]
    [InlineData(12, "\r\n", true)]
    [InlineData(13, "\n", false)]
    [InlineData(14, "\r\n", false)]
    public async Task Run_GivesTheValuesAndLinesOfAPlainReading_ForGeneratedFiles(int seed, string newLine, bool skipBlankLines)
    {
        var text = Generate(new Random(seed), 5000, newLine, emptyLines: true, out var blankRows);
        var harness = BlockHarness.For("read-csv", new { skipBlankLines });
        var path = Path.Combine(harness.Folder, "in", "g.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(text));

        var result = (await harness.WithLocalFiles("files", path).RunAsync()).AssertSucceeded();

        var expected = new List<(string?[] Values, long Line)>();
        using (var csv = CsvReader.Create(Encoding.UTF8.GetBytes(text), Options with { SkipEmptyLines = skipBlankLines }))
        {
            while (csv.Read())
            {
                var values = csv.FieldCount == 1 && csv.RawRecord.IsEmpty
                    ? Enumerable.Repeat<string?>("", Columns.Length).ToArray()
                    : Enumerable.Range(0, csv.FieldCount).Select(i => (string?)csv.GetString(i)).ToArray();
                expected.Add((values, csv.LineNumber));
            }
        }
        var rows = result.Records("records").Rows;
        Assert.Equal(5000 + (skipBlankLines ? 0 : blankRows), expected.Count);
        Assert.Equal(expected.Select(e => e.Line), rows.Select(r => r.Source.Line));
        for (var i = 0; i < rows.Count; i++) Assert.Equal(expected[i].Values, rows[i].Values);
        Assert.Empty(result.Records("rejected").Rows);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task Run_RejectsTheMalformedRowsOfAGeneratedFile_WithTheirLines_AndReadsTheOthers(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("a,b,c\n");
        var line = 1;
        var kept = new List<(string A, long Line)>();
        var rejected = new List<long>();
        for (var row = 0; row < 3000; row++)
        {
            line++;
            var a = random.Next(3) == 0 ? "same" : $"v{random.Next(50)}";
            switch (random.Next(10))
            {
                case 0:
                    text.Append(a).Append(",\"x\"y,z\n"); // text after a closing quote
                    rejected.Add(line);
                    break;
                case 1:
                    text.Append(a).Append(",b\n"); // a field short
                    rejected.Add(line);
                    break;
                case 2:
                    text.Append(a).Append(",12\" pipe,c\n"); // a stray quote: kept as text
                    kept.Add((a, line));
                    break;
                default:
                    text.Append(a).Append(",\"q, \"\"r\"\"\",c\n");
                    kept.Add((a, line));
                    break;
            }
        }

        var harness = BlockHarness.For("read-csv");
        var path = Path.Combine(harness.Folder, "in", "m.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(text.ToString()));
        var result = (await harness.WithLocalFiles("files", path).RunAsync()).AssertSucceeded();

        var rows = result.Records("records").Rows;
        Assert.Equal(kept.Select(k => k.A), rows.Select(r => r.Values[0]));
        Assert.Equal(kept.Select(k => k.Line), rows.Select(r => r.Source.Line));
        Assert.Equal(rejected, result.Records("rejected").Rows.Select(r => r.Source.Line));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(40)]
    [InlineData(3000)]
    [InlineData(9000)]
    public async Task Run_FailsNamingTheLineOfTheInvalidByte_WhereverItIs(int badLine)
    {
        var bytes = new List<byte>("id,name\n"u8.ToArray());
        for (var line = 2; line <= 10000; line++)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes($"{line % 7},same name"));
            if (line == badLine) bytes.Add(0xE9); // é in windows-1252
            bytes.AddRange("\n"u8.ToArray());
        }
        var harness = BlockHarness.For("read-csv", new { encoding = "utf8" });
        var path = Path.Combine(harness.Folder, "in", "u.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, bytes.ToArray());

        var result = await harness.WithLocalFiles("files", path).RunAsync();

        Assert.False(result.Run.IsSuccess);
        Assert.Contains($"u.csv line {badLine} (byte", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("is not valid UTF-8", result.Run.Error, StringComparison.Ordinal);
    }

    private static readonly string[] Columns = ["constant", "few", "almost", "unique", "text", "quoted", "long", "empty"];

    // Rows whose columns repeat in different ways: always, from a short list, almost (same length, one
    // byte apart), never; non-ASCII text; quoted values with separators, quotes and line breaks; values
    // longer than the cache looks up; empty fields. With emptyLines, some rows are followed by an empty line.
    private static string Generate(Random random, int rows, string newLine, bool emptyLines, out int blankRows)
    {
        string[] few = ["UPI", "CASH", "CARD", "DEL_001", "Basmati Rice 5kg", "é", "naïve café", "0.00", "1"];
        string[] text = ["plain", "Ünïcödé", "日本語", "emoji 😀", "a", ""];
        var builder = new StringBuilder(string.Join(',', Columns)).Append(newLine);
        blankRows = 0;
        for (var row = 0; row < rows; row++)
        {
            var almost = $"B1000{random.Next(10):D1}000{random.Next(3):D1}";
            var quoted = random.Next(4) switch
            {
                0 => "\"a, b\"",
                1 => "\"say \"\"hi\"\"\"",
                2 => "\"two" + newLine + "lines\"",
                _ => "\"plain\"",
            };
            var longValue = new string((char)('a' + random.Next(3)), 20 + random.Next(12));
            builder.Append("same value").Append(',')
                .Append(few[random.Next(few.Length)]).Append(',')
                .Append(almost).Append(',')
                .Append(row).Append('-').Append(random.Next()).Append(',')
                .Append(text[random.Next(text.Length)]).Append(',')
                .Append(quoted).Append(',')
                .Append(longValue).Append(',')
                .Append(newLine);
            if (emptyLines && random.Next(20) == 0)
            {
                builder.Append(newLine);
                blankRows++;
            }
        }
        return builder.ToString();
    }
}
