using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Blocks.Sources;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Files;

public sealed class FileDestinationBlockTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The folder "out" of the connection.</summary>
    private string Out => _temp["root/out"];

    private string Display => $"file://{_temp["root"]}";

    private string Source(string name, string content) => _temp.Write(Path.Combine("source", name), content);

    private BlockHarness Harness(object settings)
    {
        Directory.CreateDirectory(_temp["root"]);
        return BlockHarness.For("file-destination", settings).WithService<IConnectionProvider>(SourceFlow.LocalConnection(_temp["root"]));
    }

    private Task<HarnessResult> Deliver(object settings, params string[] paths) => Harness(settings).WithLocalFiles("files", paths).RunAsync();

    private static string[] FilesIn(string folder) =>
        Directory.Exists(folder) ? [.. Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];

    private static IEnumerable<string> Messages(HarnessResult result, RunLogLevel level) =>
        result.Observer.Log.Where(l => l.Level == level && l.NodeId == "block").Select(l => l.Message);

    private static List<ValidationIssue> Validate(object settings) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(BlockHarness.For("file-destination", settings).BuildDataflow())
            .Where(i => i.NodeId == "block" && i.Port is null).ToList();

    // ---- delivery ------------------------------------------------------------------------------

    [Fact]
    public async Task Run_WritesEachFileIntoTheFolderOfTheConnection_AndSendsItOnWritten()
    {
        var result = await Deliver(new { connection = "data", folder = "out" }, Source("members.csv", "id\n1\n"), Source("bills.csv", "bill\nB1\n"));

        result.AssertSucceeded();
        Assert.Equal(["bills.csv", "members.csv"], FilesIn(Out));
        Assert.Equal("id\n1\n", File.ReadAllText(Path.Combine(Out, "members.csv")));
        var written = result.Files("written");
        Assert.Equal(["members.csv", "bills.csv"], written.Select(f => f.Item.Name));
        Assert.Equal("out/members.csv", written[0].Item.SourcePath);
        Assert.Equal(Display, written[0].Item.Attributes["location"]);
        Assert.Equal("id\n1\n", written[0].ReadText());
        Assert.True(File.Exists(_temp["source/members.csv"]));
        Assert.Contains(Messages(result, RunLogLevel.Info), m => m == $"2 files written to 'out' on {Display}.");
    }

    [Fact]
    public async Task Run_WritesIntoTheRootFolder_WhenFolderIsEmpty()
    {
        var result = await Deliver(new { connection = "data" }, Source("m.csv", "x"));

        result.AssertSucceeded();
        Assert.True(File.Exists(_temp["root/m.csv"]));
        Assert.Contains(Messages(result, RunLogLevel.Info), m => m == $"1 files written to the root folder of {Display}.");
    }

    [Fact]
    public async Task Run_CreatesTheFolderAndItsParents_WhenCreateFoldersIsOn()
    {
        var result = await Deliver(new { connection = "data", folder = "out/2025/01" }, Source("m.csv", "x"));

        result.AssertSucceeded();
        Assert.True(File.Exists(Path.Combine(Out, "2025", "01", "m.csv")));
    }

    [Fact]
    public async Task Run_FailsNamingTheFolder_WhenItIsMissingAndCreateFoldersIsOff()
    {
        var result = await Deliver(new { connection = "data", folder = "out", createFolders = false }, Source("m.csv", "x"));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"The folder 'out' on {Display} does not exist. Create it, or turn on Create folders.", result.Run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public async Task Run_WritesIntoAnExistingFolder_WhenCreateFoldersIsOff()
    {
        Directory.CreateDirectory(Out);

        var result = await Deliver(new { connection = "data", folder = "out", createFolders = false }, Source("m.csv", "x"));

        result.AssertSucceeded();
        Assert.Equal(["m.csv"], FilesIn(Out));
    }

    [Fact]
    public async Task Run_NamesFilesWithTheTemplate()
    {
        var result = await Deliver(new { connection = "data", folder = "out", fileNameTemplate = "{source}_{date:yyyyMMdd}_{node}.txt" }, Source("members.csv", "x"));

        result.AssertSucceeded();
        Assert.Equal([$"members_{result.Run.Started.UtcDateTime:yyyyMMdd}_block.txt"], FilesIn(Out));
    }

    // ---- conflicts -----------------------------------------------------------------------------

    [Fact]
    public async Task Run_WritesUnderTheNextFreeName_AndWarns_WhenOnConflictIsRename()
    {
        _temp.Write("root/out/m.csv", "old");

        var result = await Deliver(new { connection = "data", folder = "out" }, Source("m.csv", "new"));

        result.AssertSucceeded();
        Assert.Equal(["m.csv", "m_1.csv"], FilesIn(Out));
        Assert.Equal("old", File.ReadAllText(Path.Combine(Out, "m.csv")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(Out, "m_1.csv")));
        Assert.Equal("m_1.csv", Assert.Single(result.Files("written")).Item.Name);
        Assert.Contains(Messages(result, RunLogLevel.Warning), m => m == $"m.csv is already in 'out' on {Display}; the new file is m_1.csv.");
    }

    [Fact]
    public async Task Run_ReplacesTheFileThere_WhenOnConflictIsReplace()
    {
        _temp.Write("root/out/m.csv", "old");

        var result = await Deliver(new { connection = "data", folder = "out", onConflict = "replace" }, Source("m.csv", "new"));

        result.AssertSucceeded();
        Assert.Equal(["m.csv"], FilesIn(Out));
        Assert.Equal("new", File.ReadAllText(Path.Combine(Out, "m.csv")));
    }

    [Fact]
    public async Task Run_LeavesTheFileThereWithoutOpeningTheNewOne_WhenOnConflictIsSkip()
    {
        _temp.Write("root/out/m.csv", "old");
        var unreadable = new FileItem("m.csv", _ => throw new InvalidOperationException("a skipped file is not opened"));

        var result = await Harness(new { connection = "data", folder = "out", onConflict = "skip" })
            .WithFiles("files", unreadable, FileItem.FromLocalFile(Source("n.csv", "other"))).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["m.csv", "n.csv"], FilesIn(Out));
        Assert.Equal("old", File.ReadAllText(Path.Combine(Out, "m.csv")));
        Assert.Equal(["n.csv"], result.Files("written").Select(f => f.Item.Name));
        Assert.Contains(Messages(result, RunLogLevel.Info), m => m == $"m.csv is already in 'out' on {Display}; m.csv was not written (On conflict is skip).");
        Assert.Contains(Messages(result, RunLogLevel.Info), m => m == $"1 files written to 'out' on {Display}, 1 skipped.");
    }

    [Fact]
    public async Task Run_FailsNamingFolderFileAndSetting_WhenOnConflictIsFail()
    {
        _temp.Write("root/out/m.csv", "old");

        var result = await Deliver(new { connection = "data", folder = "out", onConflict = "fail" }, Source("m.csv", "new"));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"The folder 'out' on {Display} already has a file named m.csv. Move it away, or set On conflict to rename, replace or skip.", result.Run.Error, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(Path.Combine(Out, "m.csv")));
    }

    // ---- zip -----------------------------------------------------------------------------------

    [Fact]
    public async Task Run_ZipsEachFileOnTheWay_UnderTheFileNameWithZipInPlaceOfItsExtension()
    {
        var modified = new DateTime(2024, 6, 1, 12, 30, 0, DateTimeKind.Utc);
        var source = Source("members.csv", "id\n1\n");
        File.SetLastWriteTimeUtc(source, modified);

        var result = await Deliver(new { connection = "data", folder = "out", zip = true }, source);

        result.AssertSucceeded();
        Assert.Equal(["members.zip"], FilesIn(Out));
        using var zip = ZipFile.OpenRead(Path.Combine(Out, "members.zip"));
        var entry = Assert.Single(zip.Entries);
        Assert.Equal("members.csv", entry.FullName);
        Assert.Equal(modified, entry.LastWriteTime.UtcDateTime);
        using var reader = new StreamReader(entry.Open());
        Assert.Equal("id\n1\n", reader.ReadToEnd());
        Assert.Equal("members.zip", Assert.Single(result.Files("written")).Item.Name);
    }

    [Fact]
    public async Task Run_NamesTheZipWithTheTemplate_AndKeepsTheFilesNameInside_WhenTheTemplateEndsInZip()
    {
        var result = await Deliver(new { connection = "data", folder = "out", zip = true, fileNameTemplate = "export_{run}.zip" }, Source("members.csv", "x"));

        result.AssertSucceeded();
        using var zip = ZipFile.OpenRead(Path.Combine(Out, $"export_{result.Run.RunId}.zip"));
        Assert.Equal("members.csv", Assert.Single(zip.Entries).FullName);
    }

    [Fact]
    public async Task Run_ZipsALargeFileThroughTheStream_ByteForByte()
    {
        var content = new byte[6 << 20];
        new Random(42).NextBytes(content.AsSpan(0, content.Length / 2));
        Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("member,points\n", content.Length / 28))).CopyTo(content, content.Length / 2);
        var file = new FileItem("big.bin", _ => ValueTask.FromResult<Stream>(new ChunkedStream(content, () => { })));

        var result = await Harness(new { connection = "data", folder = "out", zip = true }).WithFiles("files", file).RunAsync();

        result.AssertSucceeded();
        using var zip = ZipFile.OpenRead(Path.Combine(Out, "big.zip"));
        using var unzipped = new MemoryStream();
        using (var entry = Assert.Single(zip.Entries).Open()) entry.CopyTo(unzipped);
        Assert.Equal(content, unzipped.ToArray());
    }

    [Fact]
    public async Task Run_SkipsTheZip_WhenItIsThereAndOnConflictIsSkip()
    {
        _temp.Write("root/out/members.zip", "old");

        var result = await Deliver(new { connection = "data", folder = "out", zip = true, onConflict = "skip" }, Source("members.csv", "x"));

        result.AssertSucceeded();
        Assert.Equal("old", File.ReadAllText(Path.Combine(Out, "members.zip")));
        Assert.Empty(result.Files("written"));
    }

    [Theory]
    [InlineData("members.csv", "members.zip", "members.csv")]
    [InlineData("README", "README.zip", "README")]
    [InlineData(".env", ".env.zip", ".env")]
    [InlineData("daily.ZIP", "daily.ZIP", "source.csv")]
    public void ZipNames_PutZipInPlaceOfTheExtension(string name, string zipName, string entryName)
    {
        var file = new FileItem("source.csv", _ => throw new InvalidOperationException());

        Assert.Equal((zipName, entryName), ConnectPlus.Engine.Blocks.Files.LocationDelivery.ZipNames(file, name));
    }

    // ---- atomicity -----------------------------------------------------------------------------

    [Fact]
    public async Task Run_ShowsOnlyAHiddenTemporaryName_UntilTheFileIsComplete()
    {
        var seen = new List<string[]>();
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        var file = new FileItem("big.bin", _ => ValueTask.FromResult<Stream>(new ChunkedStream(content, () => seen.Add(FilesIn(Out)))));

        var result = await Harness(new { connection = "data", folder = "out" }).WithFiles("files", file).RunAsync();

        result.AssertSucceeded();
        Assert.NotEmpty(seen);
        Assert.All(seen, names => Assert.All(names, n => Assert.StartsWith(".big.bin.", n, StringComparison.Ordinal)));
        Assert.Equal(["big.bin"], FilesIn(Out));
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Out, "big.bin")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_LeavesNothingBehindAndNamesFolderAndFile_WhenTheSourceBreaks(bool zip)
    {
        var file = new FileItem("broken.csv", _ => ValueTask.FromResult<Stream>(new ChunkedStream(new byte[3_000_000], () => { }, failAfterReads: 3)));

        var result = await Harness(new { connection = "data", folder = "out", zip }).WithFiles("files", file).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        var name = zip ? "broken.zip" : "broken.csv";
        Assert.Contains($"Cannot write {name} to 'out' on {Display}: the source broke", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(FilesIn(Out));
    }

    [Fact]
    public async Task Run_LeavesNothingBehind_WhenTheRunIsCancelledDuringTheCopy()
    {
        using var cancel = new CancellationTokenSource();
        var file = new FileItem("slow.csv", _ => ValueTask.FromResult<Stream>(new ChunkedStream(new byte[300_000], cancel.Cancel)));

        var result = await Harness(new { connection = "data", folder = "out" }).WithFiles("files", file).RunAsync(cancel.Token);

        Assert.Equal(RunOutcome.Cancelled, result.Run.Outcome);
        Assert.Empty(FilesIn(Out));
    }

    // ---- connection ----------------------------------------------------------------------------

    [Fact]
    public async Task Run_FailsNamingTheConnectionSetting_WhenTheConnectionIsUnknown()
    {
        var result = await Deliver(new { connection = "outbox", folder = "out" }, Source("m.csv", "x"));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("Setting 'connection': There is no connection named 'outbox'. Known connections: data.", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailsNamingTheConnection_WhenTheHostHasNoConnections()
    {
        var result = await BlockHarness.For("file-destination", new { connection = "data" }).WithLocalFiles("files", Source("m.csv", "x")).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("needs connection 'data', but this host provides no connections", result.Run.Error, StringComparison.Ordinal);
    }

    // ---- settings ------------------------------------------------------------------------------

    [Fact]
    public void Catalog_OffersConnectionsOfEveryFileType_ForTheConnectionSetting()
    {
        var setting = BlockCatalog.Default.Find("file-destination")!.FindSetting("connection")!;

        Assert.Equal(EditorHint.Connection, setting.Editor);
        Assert.Equal(["local", "sftp", "ftp", "s3"], setting.ConnectionTypes!);
    }

    [Fact]
    public void Validate_ReportsNothing_ForAFullSetup()
    {
        Assert.Empty(Validate(new { connection = "data", folder = "exports/out", fileNameTemplate = "{source}.csv", createFolders = false, zip = true, onConflict = "fail" }));
    }

    [Theory]
    [InlineData("connection", """{}""", "Choose the connection that receives the files.")]
    [InlineData("folder", """{"connection": "data", "folder": "../elsewhere"}""", "climbs above the connection's root folder")]
    [InlineData("fileNameTemplate", """{"connection": "data", "fileNameTemplate": "{when}.csv"}""", "Unknown token {when}")]
    [InlineData("fileNameTemplate", """{"connection": "data", "fileNameTemplate": "sub/x.csv"}""", "Give a file name, not a path")]
    [InlineData("onConflict", """{"connection": "data", "onConflict": "overwrite"}""", "Expected one of: rename, replace, skip, fail.")]
    public void Validate_ReportsTheSetting_WhenItIsWrong(string setting, string json, string message)
    {
        var issue = Assert.Single(Validate(JsonNode.Parse(json)!.AsObject()));

        Assert.Equal(setting, issue.Setting);
        Assert.Contains(message, issue.Message, StringComparison.Ordinal);
    }

    /// <summary>Serves content in reads of at most 64 KB, calling back before each read after the first; can break after some reads.</summary>
    private sealed class ChunkedStream(byte[] content, Action onLaterRead, int? failAfterReads = null) : Stream
    {
        private const int Chunk = 64 * 1024;
        private int _position;
        private int _reads;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => content.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_reads++ > 0) onLaterRead();
            if (failAfterReads is { } limit && _reads > limit) throw new IOException("the source broke");
            var n = Math.Min(Math.Min(buffer.Length, Chunk), content.Length - _position);
            content.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
