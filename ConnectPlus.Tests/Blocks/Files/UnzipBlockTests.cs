using System.IO.Compression;
using System.Text;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Files;

public sealed class UnzipBlockTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_ExtractsEveryFile_WithEntryAttributeAndOriginName()
    {
        var zip = MakeZip("data.zip", ("members.csv", "id\n1\n"), ("emptyfolder/", ""), ("sub/bills.csv", "bill\n9\n"));

        var result = await Unzip(new { }, zip);

        result.AssertSucceeded();
        var files = result.Files("files");
        Assert.Equal(["members.csv", "bills.csv"], files.Select(f => f.Item.Name));
        Assert.Equal(["id\n1\n", "bill\n9\n"], files.Select(f => f.ReadText()));
        Assert.Equal(["members.csv", "sub/bills.csv"], files.Select(f => f.Item.Attributes["entry"]));
        Assert.All(files, f => Assert.Equal("data.zip", f.Item.OriginName));
        Assert.EndsWith("data.zip/sub/bills.csv", files[1].Item.SourcePath, StringComparison.Ordinal);
        Assert.Equal(7, files[1].Item.Size);
        Assert.Equal((1, 2), (result.Stats.FilesIn, result.Stats.FilesOut));
    }

    [Fact]
    public async Task Run_GivesExtractedFilesTheEntryTime()
    {
        var written = new DateTimeOffset(2024, 3, 5, 10, 20, 30, TimeSpan.Zero);
        var zip = _temp["dated.zip"];
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            var entry = archive.CreateEntry("a.csv");
            entry.LastWriteTime = written;
            using var writer = new StreamWriter(entry.Open());
            writer.Write("x");
        }

        var result = await Unzip(new { }, zip);

        result.AssertSucceeded();
        // Zip times have a 2-second resolution.
        Assert.InRange(result.Files("files").Single().Item.Modified!.Value, written.AddSeconds(-2), written.AddSeconds(2));
    }

    [Fact]
    public async Task Run_ExtractsOnlyMatchingEntries_IgnoringCase_WhenEntryNamePatternSet()
    {
        var zip = MakeZip("data.zip", ("a.csv", "a"), ("readme.txt", "r"), ("deep/B.CSV", "b"), ("csv/notes.txt", "n"));

        var result = await Unzip(new { entryNamePattern = @"\.csv$" }, zip);

        result.AssertSucceeded();
        Assert.Equal(["a.csv", "B.CSV"], result.Files("files").Select(f => f.Item.Name));
        Assert.Contains(result.Run.Log, l => l.Message.Contains("2 entries do not match", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_KeepsSameNamedEntriesApart_WhenInDifferentZipFolders()
    {
        var zip = MakeZip("data.zip", ("2024/data.csv", "one"), ("2025/data.csv", "three"));

        var result = await Unzip(new { }, zip);

        result.AssertSucceeded();
        var items = result.Files("files").Select(f => f.Item).ToList();
        Assert.Equal(["data.csv", "data.csv"], items.Select(i => i.Name));
        Assert.NotEqual(items[0].LocalPath, items[1].LocalPath);
        // Sizes read from disk when each file was emitted: neither overwrote the other.
        Assert.Equal([3L, 5L], items.Select(i => i.Size!.Value));
    }

    [Fact]
    public async Task Run_ExtractsFromEachZip_IntoItsOwnFolder_WhenZipsHoldTheSameNames()
    {
        var first = MakeZip("a/data.zip", ("x.csv", "first"));
        var second = MakeZip("b/data.zip", ("x.csv", "second!"));

        var result = await Unzip(new { }, first, second);

        result.AssertSucceeded();
        var items = result.Files("files").Select(f => f.Item).ToList();
        Assert.NotEqual(items[0].LocalPath, items[1].LocalPath);
        Assert.Equal([5L, 7L], items.Select(i => i.Size!.Value));
    }

    [Fact]
    public async Task Run_ExtractsNothing_WhenZipIsEmpty()
    {
        var zip = MakeZip("empty.zip");

        var result = await Unzip(new { }, zip);

        result.AssertSucceeded();
        Assert.Empty(result.Files("files"));
        Assert.Equal(1, result.Stats.FilesIn);
    }

    [Fact]
    public async Task Run_PassesNonZipThroughUnchanged_WhenPassThroughNonZipIsOn()
    {
        var csv = _temp.Write("plain.csv", "id\n1\n");
        var zip = MakeZip("data.zip", ("inner.csv", "x"));
        var harness = BlockHarness.For("unzip", new { });
        var csvItem = FileItem.FromLocalFile(csv);
        harness.WithFiles("files", csvItem, FileItem.FromLocalFile(zip));

        var result = await harness.RunAsync();

        result.AssertSucceeded();
        var files = result.Files("files");
        Assert.Equal(["plain.csv", "inner.csv"], files.Select(f => f.Item.Name));
        Assert.Same(csvItem, files[0].Item);
        Assert.Equal("id\n1\n", files[0].ReadText());
    }

    [Fact]
    public async Task Run_Fails_WhenFileIsNotZipAndPassThroughNonZipIsOff()
    {
        var csv = _temp.Write("plain.csv", "id\n1\n");

        var result = await Unzip(new { passThroughNonZip = false }, csv);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("plain.csv' is not a zip", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("passThroughNonZip", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_ExtractsZip_WhenOnlyItsContentShowsItIsOne()
    {
        var zip = MakeZip("export.dat", ("inner.csv", "x"));

        var result = await Unzip(new { passThroughNonZip = false }, zip);

        result.AssertSucceeded();
        Assert.Equal("inner.csv", result.Files("files").Single().Item.Name);
    }

    [Fact]
    public async Task Run_PassesOfficeDocumentsThrough_ThoughTheyAreZipsInside()
    {
        var workbook = MakeZip("book.xlsx", ("xl/workbook.xml", "<workbook/>"));

        var result = await Unzip(new { }, workbook);

        result.AssertSucceeded();
        Assert.Equal("book.xlsx", result.Files("files").Single().Item.Name);
    }

    [Fact]
    public async Task Run_Fails_NamingTheFile_WhenZipIsCorrupt()
    {
        var broken = _temp.Write("broken.zip", "this is not a zip at all");

        var result = await Unzip(new { }, broken);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("broken.zip' is not a valid zip: ", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Fails_NamingTheFile_WhenZipIsTruncated()
    {
        var zip = MakeZip("cut.zip", ("a.csv", new string('x', 5000)));
        var bytes = await File.ReadAllBytesAsync(zip);
        await File.WriteAllBytesAsync(zip, bytes[..(bytes.Length / 2)]);

        var result = await Unzip(new { }, zip);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("cut.zip' is not a valid zip: ", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Fails_NamingEntry_WhenEntryDataIsCorrupt()
    {
        var zip = MakeZip("garbled.zip", ("a.csv", string.Concat(Enumerable.Range(0, 2000).Select(i => $"{i},"))));
        var bytes = await File.ReadAllBytesAsync(zip);
        // Overwrite the middle of the compressed data (the local header is 30 bytes + the name).
        for (var i = 40; i < 200; i++) bytes[i] = 0xFF;
        await File.WriteAllBytesAsync(zip, bytes);

        var result = await Unzip(new { }, zip);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("garbled.zip' is not a valid zip: entry 'a.csv' cannot be read", result.Run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("ok/../../evil.txt")]
    [InlineData(@"..\evil.txt")]
    [InlineData("/tmp/evil.txt")]
    public async Task Run_RejectsZipSlip_BeforeExtractingAnything(string entryName)
    {
        var zip = MakeZip("slip.zip", ("first.csv", "fine"), (entryName, "pwned"));

        var result = await Unzip(new { entryNamePattern = @"\.csv$" }, zip);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"slip.zip' holds the entry '{entryName}', whose path leads outside", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_AcceptsDotDotInEntryPath_WhenItStaysInsideTheZip()
    {
        var zip = MakeZip("tidy.zip", ("a/../b.csv", "b"));

        var result = await Unzip(new { }, zip);

        result.AssertSucceeded();
        var file = result.Files("files").Single();
        Assert.Equal("b.csv", file.Item.Name);
        Assert.Equal("a/../b.csv", file.Item.Attributes["entry"]);
    }

    [Fact]
    public async Task Run_Fails_WhenZipHoldsTheSameEntryTwice()
    {
        var zip = MakeZip("twice.zip", ("a.csv", "one"), ("a.csv", "two"));

        var result = await Unzip(new { }, zip);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("twice.zip' is not a valid zip: it holds the entry 'a.csv' twice", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_Fails_NamingSettingZipAndEntry_WhenMoreEntriesThanMaxEntries()
    {
        var zip = MakeZip("many.zip", ("1.csv", "1"), ("2.csv", "2"), ("3.csv", "3"));

        var result = await Unzip(new { maxEntries = 2 }, zip);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("many.zip' holds more than 2 files to extract", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("'maxEntries'", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("'3.csv'", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_CountsOnlyEntriesToExtract_AgainstMaxEntries()
    {
        var zip = MakeZip("many.zip", ("1.csv", "1"), ("2.csv", "2"), ("skip.txt", "s"), ("folder/", ""));

        var result = await Unzip(new { maxEntries = 2, entryNamePattern = @"\.csv$" }, zip);

        result.AssertSucceeded();
        Assert.Equal(2, result.Files("files").Count);
    }

    [Fact]
    public async Task Run_Fails_BeforeWriting_WhenDeclaredSizesExceedMaxTotalUncompressedBytes()
    {
        var zip = MakeZip("big.zip", ("a.csv", new string('a', 600)), ("b.csv", new string('b', 600)));

        var result = await Unzip(new { maxTotalUncompressedBytes = 1000 }, zip);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("big.zip' declares 1.17 KB", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("'maxTotalUncompressedBytes'", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("'b.csv'", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_Extracts_WhenTotalEqualsMaxTotalUncompressedBytes()
    {
        var zip = MakeZip("big.zip", ("a.csv", new string('a', 600)), ("b.csv", new string('b', 600)));

        var result = await Unzip(new { maxTotalUncompressedBytes = 1200 }, zip);

        result.AssertSucceeded();
        Assert.Equal(2, result.Files("files").Count);
    }

    [Fact]
    public async Task Run_CountsBytesActuallyWritten_WhenHeaderUnderstatesTheSize()
    {
        // A stored entry whose headers claim 100 bytes but which holds 3000: the declared total passes,
        // the bytes written do not.
        var zip = MakeZip("liar.zip", CompressionLevel.NoCompression, ("a.csv", new string('a', 3000)));
        PatchHeaders(zip, localOffset: 22, centralOffset: 24, value: 100);

        var result = await Unzip(new { maxTotalUncompressedBytes = 1000 }, zip);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("liar.zip' expands to more than 1000 bytes, the limit set in 'maxTotalUncompressedBytes'; extraction stopped in entry 'a.csv'", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_StopsZipBomb_WithTheDefaultMaxCompressionRatio()
    {
        // 8 MB of zeros deflate to about 8 KB: a ratio near 1000.
        var zip = MakeZip("bomb.zip", CompressionLevel.SmallestSize, ("zeros.bin", Zeros(8 << 20)));

        var result = await Unzip(new { }, zip);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("bomb.zip' entry 'zeros.bin' expands to more than 200 times its compressed size", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("'maxCompressionRatio'", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_StopsEntry_WhenRatioExceedsALowerMaxCompressionRatio()
    {
        var zip = MakeZip("rows.zip", CompressionLevel.Optimal, ("rows.csv", Rows(2 << 20)));
        var ratio = RatioOf(zip);
        Assert.InRange(ratio, 3, 100);

        var failing = await Unzip(new { maxCompressionRatio = (int)ratio - 1 }, zip);
        var passing = await Unzip(new { maxCompressionRatio = (int)ratio + 1 }, zip);

        Assert.Equal(RunOutcome.Failed, failing.Run.Outcome);
        Assert.Contains("rows.zip' entry 'rows.csv' expands to more than", failing.Run.Error, StringComparison.Ordinal);
        passing.AssertSucceeded();
        Assert.Equal(new FileInfo(passing.Files("files").Single().CopyPath).Length, Rows(2 << 20).Length);
    }

    [Fact]
    public async Task Run_DoesNotJudgeRatio_OfEntriesUnderOneMegabyte()
    {
        var zip = MakeZip("small.zip", CompressionLevel.SmallestSize, ("zeros.bin", Zeros(512 << 10)));

        var result = await Unzip(new { maxCompressionRatio = 2 }, zip);

        result.AssertSucceeded();
        Assert.Equal(512L << 10, result.Files("files").Single().Item.Size);
    }

    [Fact]
    public async Task Run_Fails_WhenEntryIsEncrypted()
    {
        var zip = MakeZip("secret.zip", ("a.csv", "x"));
        // Set bit 0 (encrypted) of the general purpose flags in both headers.
        PatchHeaders(zip, localOffset: 6, centralOffset: 8, value: 1, size: 2);

        var result = await Unzip(new { }, zip);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("secret.zip' entry 'a.csv' is protected by a password", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ExtractsZip_WhenItsStreamCannotSeek()
    {
        var zip = MakeZip("remote.zip", ("a.csv", "alpha"), ("b.csv", "beta"));
        var item = new FileItem("remote.zip", _ => ValueTask.FromResult<Stream>(new ForwardOnlyStream(File.OpenRead(zip))));

        var result = await BlockHarness.For("unzip").WithFiles("files", item).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["alpha", "beta"], result.Files("files").Select(f => f.ReadText()));
        Assert.All(result.Files("files"), f => Assert.Equal("remote.zip", f.Item.OriginName));
        Assert.Contains(result.Run.Log, l => l.Message.Contains("copying it to the work folder first", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_KeepsTheFirstOrigin_WhenZipCameFromAnotherFile()
    {
        var zip = MakeZip("export.zip", ("a.csv", "a"));
        var decrypted = new FileItem("export.zip", _ => ValueTask.FromResult<Stream>(File.OpenRead(zip))) { OriginName = "export.zip.pgp" };

        var result = await BlockHarness.For("unzip").WithFiles("files", decrypted).RunAsync();

        result.AssertSucceeded();
        Assert.Equal("export.zip.pgp", result.Files("files").Single().Item.OriginName);
    }

    [Fact]
    public void Validate_ReportsEntryNamePattern_WhenNotARegularExpression()
    {
        var issues = Validate(new { entryNamePattern = "([a-z" });

        var issue = Assert.Single(issues);
        Assert.Equal(("block", "entryNamePattern"), (issue.NodeId, issue.Setting));
        Assert.Contains("not a valid regular expression", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("maxEntries", 0)]
    [InlineData("maxTotalUncompressedBytes", 0)]
    [InlineData("maxCompressionRatio", 0)]
    public void Validate_ReportsLimit_WhenBelowOne(string setting, int value)
    {
        var issues = Validate(new System.Text.Json.Nodes.JsonObject { [setting] = value });

        var issue = Assert.Single(issues);
        Assert.Equal(("block", setting), (issue.NodeId, issue.Setting));
    }

    [Fact]
    public void Validate_ReportsNothing_ForTheDefaults()
    {
        Assert.Empty(Validate(new { }));
    }

    private static IReadOnlyList<ValidationIssue> Validate(object settings) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(
            BlockHarness.For("unzip", settings).WithFiles("files").BuildDataflow());

    private static Task<HarnessResult> Unzip(object settings, params string[] paths) =>
        BlockHarness.For("unzip", settings).WithLocalFiles("files", paths).RunAsync();

    private string MakeZip(string name, params (string Name, string Content)[] entries) =>
        MakeZip(name, CompressionLevel.Optimal, [.. entries.Select(e => (e.Name, (Action<Stream>)(s => WriteText(s, e.Content))))]);

    private string MakeZip(string name, CompressionLevel level, params (string Name, string Content)[] entries) =>
        MakeZip(name, level, [.. entries.Select(e => (e.Name, (Action<Stream>)(s => WriteText(s, e.Content))))]);

    private string MakeZip(string name, CompressionLevel level, params (string Name, Action<Stream> Write)[] entries)
    {
        var path = _temp[name];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entryName, write) in entries)
        {
            var entry = archive.CreateEntry(entryName, level);
            if (entryName.EndsWith('/')) continue;
            using var stream = entry.Open();
            write(stream);
        }
        return path;
    }

    private static void WriteText(Stream stream, string content) => stream.Write(Encoding.UTF8.GetBytes(content));

    /// <summary>Writes zeros without holding them in memory.</summary>
    private static Action<Stream> Zeros(int length) => stream =>
    {
        var block = new byte[64 << 10];
        for (var left = length; left > 0; left -= block.Length)
            stream.Write(block, 0, Math.Min(left, block.Length));
    };

    /// <summary>CSV-like text of about the given length: compresses well, but nothing like zeros.</summary>
    private static string Rows(int length)
    {
        var text = new StringBuilder(length + 64);
        var random = new Random(42);
        for (var i = 0; text.Length < length; i++)
            text.Append(i).Append(',').Append(random.Next(1000, 9999)).Append(",member,").Append(random.Next(100)).Append('\n');
        return text.ToString(0, length);
    }

    private static double RatioOf(string zip)
    {
        using var archive = ZipFile.OpenRead(zip);
        var entry = archive.Entries.Single();
        return (double)entry.Length / entry.CompressedLength;
    }

    /// <summary>Overwrites a field in every local file header (PK 3 4) and central directory header (PK 1 2).</summary>
    private static void PatchHeaders(string zip, int localOffset, int centralOffset, uint value, int size = 4)
    {
        var bytes = File.ReadAllBytes(zip);
        for (var i = 0; i + 4 <= bytes.Length; i++)
        {
            if (bytes[i] != 'P' || bytes[i + 1] != 'K') continue;
            var offset = (bytes[i + 2], bytes[i + 3]) switch { (3, 4) => localOffset, (1, 2) => centralOffset, _ => -1 };
            if (offset < 0) continue;
            var field = bytes.AsSpan(i + offset, size);
            if (size == 4) BitConverter.TryWriteBytes(field, value);
            else BitConverter.TryWriteBytes(field, (ushort)(BitConverter.ToUInt16(field) | value));
        }
        File.WriteAllBytes(zip, bytes);
    }

    /// <summary>A stream that reads forward only, as a network download would.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
