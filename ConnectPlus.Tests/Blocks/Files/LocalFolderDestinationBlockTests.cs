using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Files;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Files;

public sealed class LocalFolderDestinationBlockTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Target => _temp["target"];

    private string Source(string name, string content) => _temp.Write(Path.Combine("source", name), content);

    private static Task<HarnessResult> Deliver(object settings, params string[] paths) =>
        BlockHarness.For("local-folder-destination", settings).WithLocalFiles("files", paths).RunAsync();

    private static List<ValidationIssue> Validate(object settings) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(BlockHarness.For("local-folder-destination", settings).BuildDataflow())
            .Where(i => i.NodeId == "block" && i.Port is null).ToList();

    private static IEnumerable<string> Messages(RecordingObserver observer, RunLogLevel level, string node = "block") =>
        observer.Log.Where(l => l.Level == level && l.NodeId == node).Select(l => l.Message);

    private string[] FilesInTarget() =>
        [.. Directory.GetFiles(Target).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    // ---- delivery ------------------------------------------------------------------------------

    [Fact]
    public async Task Run_CopiesEachFileIntoTheFolder_AndSendsItOnWritten()
    {
        var result = await Deliver(new { folder = Target }, Source("members.csv", "id\n1\n"), Source("bills.csv", "bill\nB1\n"));

        result.AssertSucceeded();
        Assert.Equal(["bills.csv", "members.csv"], FilesInTarget());
        Assert.Equal("id\n1\n", File.ReadAllText(Path.Combine(Target, "members.csv")));
        Assert.Equal(["members.csv", "bills.csv"], result.Files("written").Select(f => f.Item.Name));
        Assert.Equal(Path.Combine(Target, "members.csv"), result.Files("written")[0].Item.LocalPath);
        Assert.True(File.Exists(_temp["source/members.csv"]), "A file that did not come from the run's work folder is copied, not moved.");
        Assert.Contains(Messages(result.Observer, RunLogLevel.Info), m => m == $"2 files written to {Target}.");
    }

    [Fact]
    public async Task Run_CreatesTheFolderAndItsParents_WhenCreateFolderIsOn()
    {
        var nested = Path.Combine(Target, "2024", "03");

        var result = await Deliver(new { folder = nested }, Source("m.csv", "x"));

        result.AssertSucceeded();
        Assert.True(File.Exists(Path.Combine(nested, "m.csv")));
    }

    [Fact]
    public async Task Run_FailsNamingTheFolder_WhenItIsMissingAndCreateFolderIsOff()
    {
        var result = await Deliver(new { folder = Target, createFolder = false }, Source("m.csv", "x"));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"The folder {Target} does not exist. Create it, or turn on Create folder.", result.Run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Target));
    }

    [Fact]
    public async Task Run_FailsNamingTheFolder_WhenItCannotBeCreated()
    {
        var blocker = _temp.Write("blocker", "a file where a folder should be");

        var result = await Deliver(new { folder = Path.Combine(blocker, "out") }, Source("m.csv", "x"));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"Cannot create the folder {Path.Combine(blocker, "out")}", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NamesFilesWithTheTemplate()
    {
        var result = await Deliver(new { folder = Target, fileNameTemplate = "{source}_{date:yyyyMMdd}_{node}.txt" }, Source("members.csv", "x"));

        result.AssertSucceeded();
        Assert.Equal([$"members_{result.Run.Started.UtcDateTime:yyyyMMdd}_block.txt"], FilesInTarget());
    }

    // ---- conflicts -----------------------------------------------------------------------------

    [Fact]
    public async Task Run_WritesUnderTheNextFreeNumberedName_WhenOnConflictIsRename()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "m.csv"), "old");
        File.WriteAllText(Path.Combine(Target, "m_1.csv"), "old 1");

        var result = await Deliver(new { folder = Target }, Source("m.csv", "new"));

        result.AssertSucceeded();
        Assert.Equal(["m.csv", "m_1.csv", "m_2.csv"], FilesInTarget());
        Assert.Equal("old", File.ReadAllText(Path.Combine(Target, "m.csv")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(Target, "m_2.csv")));
        Assert.Equal("m_2.csv", Assert.Single(result.Files("written")).Item.Name);
        Assert.Contains(Messages(result.Observer, RunLogLevel.Warning), m => m == $"m.csv is already in {Target}; the new file is m_2.csv.");
    }

    [Fact]
    public async Task Run_RenamesEachOfSeveralFilesGivenTheSameName()
    {
        var result = await Deliver(new { folder = Target, fileNameTemplate = "daily.csv" }, Source("a.csv", "A"), Source("b.csv", "B"), Source("c.csv", "C"));

        result.AssertSucceeded();
        Assert.Equal(["daily.csv", "daily_1.csv", "daily_2.csv"], FilesInTarget());
        Assert.Equal("C", File.ReadAllText(Path.Combine(Target, "daily_2.csv")));
    }

    [Theory]
    [InlineData("members.csv", 3, "members_3.csv")]
    [InlineData("data.csv.gz", 1, "data_1.csv.gz")]
    [InlineData("archive.tar.GPG", 2, "archive_2.tar.GPG")]
    [InlineData("report.v2.csv", 1, "report.v2_1.csv")]
    [InlineData("README", 1, "README_1")]
    [InlineData(".env", 1, ".env_1")]
    public void Numbered_PutsTheNumberBeforeTheExtension(string name, int n, string expected)
    {
        Assert.Equal(expected, LocalFolderDelivery.Numbered(name, n));
    }

    [Fact]
    public async Task Run_ReplacesTheFileThere_WhenOnConflictIsReplace()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "m.csv"), "old");

        var result = await Deliver(new { folder = Target, onConflict = "replace" }, Source("m.csv", "new"));

        result.AssertSucceeded();
        Assert.Equal(["m.csv"], FilesInTarget());
        Assert.Equal("new", File.ReadAllText(Path.Combine(Target, "m.csv")));
    }

    [Fact]
    public async Task Run_LeavesTheFileThereAndSendsNothing_WhenOnConflictIsSkip()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "m.csv"), "old");

        var result = await Deliver(new { folder = Target, onConflict = "skip" }, Source("m.csv", "new"), Source("n.csv", "other"));

        result.AssertSucceeded();
        Assert.Equal(["m.csv", "n.csv"], FilesInTarget());
        Assert.Equal("old", File.ReadAllText(Path.Combine(Target, "m.csv")));
        Assert.Equal(["n.csv"], result.Files("written").Select(f => f.Item.Name));
        Assert.Contains(Messages(result.Observer, RunLogLevel.Info), m => m.StartsWith("m.csv is already in", StringComparison.Ordinal) && m.EndsWith("(On conflict is skip).", StringComparison.Ordinal));
        Assert.Contains(Messages(result.Observer, RunLogLevel.Info), m => m == $"1 files written to {Target}, 1 skipped.");
    }

    [Fact]
    public async Task Run_FailsNamingFolderAndFile_WhenOnConflictIsFail()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "m.csv"), "old");

        var result = await Deliver(new { folder = Target, onConflict = "fail" }, Source("m.csv", "new"));

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"The folder {Target} already has a file named m.csv. Move it away, or set On conflict to rename, replace or skip.", result.Run.Error, StringComparison.Ordinal);
        Assert.Equal(["m.csv"], FilesInTarget());
        Assert.Equal("old", File.ReadAllText(Path.Combine(Target, "m.csv")));
    }

    // ---- atomicity -----------------------------------------------------------------------------

    [Fact]
    public async Task Run_ShowsOnlyATemporaryHiddenName_UntilTheFileIsComplete()
    {
        var seenWhileCopying = new List<string[]>();
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        var file = new FileItem("big.bin", _ => ValueTask.FromResult<Stream>(new ObservedStream(content, () => seenWhileCopying.Add(FilesInTarget()))));

        var result = await BlockHarness.For("local-folder-destination", new { folder = Target }).WithFiles("files", file).RunAsync();

        result.AssertSucceeded();
        Assert.NotEmpty(seenWhileCopying);
        Assert.All(seenWhileCopying, names => Assert.Equal([$".big.bin.part-{result.Run.RunId}"], names));
        Assert.Equal(["big.bin"], FilesInTarget());
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Target, "big.bin")));
    }

    [Fact]
    public async Task Run_LeavesNothingBehindAndNamesFolderAndFile_WhenTheCopyFails()
    {
        var file = new FileItem("broken.csv", _ => ValueTask.FromResult<Stream>(new ObservedStream(new byte[300_000], () => { }, failAfterReads: 2)));

        var result = await BlockHarness.For("local-folder-destination", new { folder = Target }).WithFiles("files", file).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"Cannot write broken.csv to the folder {Target}: the source broke", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(FilesInTarget());
    }

    [Fact]
    public async Task Run_LeavesNothingBehind_WhenTheRunIsCancelledDuringTheCopy()
    {
        using var cancel = new CancellationTokenSource();
        var file = new FileItem("slow.csv", _ => ValueTask.FromResult<Stream>(new ObservedStream(new byte[300_000], cancel.Cancel)));

        var result = await BlockHarness.For("local-folder-destination", new { folder = Target }).WithFiles("files", file).RunAsync(cancel.Token);

        Assert.Equal(RunOutcome.Cancelled, result.Run.Outcome);
        Assert.Empty(FilesInTarget());
    }

    // ---- moving the run's own files --------------------------------------------------------------

    [Fact]
    public async Task Run_MovesAFileOfTheRunsWorkFolder_WhenItIsTheOnlyReceiver()
    {
        var (run, observer, work) = await WriteThenDeliver(Target);

        Assert.True(run.IsSuccess, run.Error);
        Assert.Equal("id\r\n1\r\n", File.ReadAllText(Path.Combine(Target, "out.csv")));
        Assert.Contains(Messages(observer, RunLogLevel.Debug, "deliver"), m => m.StartsWith("Moved out.csv", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(work, "out.csv", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Run_CopiesAFileOfTheRunsWorkFolder_WhenAnotherBlockReceivesItToo()
    {
        var second = _temp["second"];

        var (run, observer, work) = await WriteThenDeliver(Target, second);

        Assert.True(run.IsSuccess, run.Error);
        Assert.Equal("id\r\n1\r\n", File.ReadAllText(Path.Combine(Target, "out.csv")));
        Assert.Equal("id\r\n1\r\n", File.ReadAllText(Path.Combine(second, "out.csv")));
        Assert.Contains(Messages(observer, RunLogLevel.Debug, "deliver"), m => m.StartsWith("Copied out.csv", StringComparison.Ordinal));
        Assert.Contains(Messages(observer, RunLogLevel.Debug, "deliver-2"), m => m.StartsWith("Copied out.csv", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(work, "out.csv", SearchOption.AllDirectories));
    }

    // feed → write-csv → one local-folder-destination per folder; keeps the work folder to look at.
    private async Task<(RunResult Run, RecordingObserver Observer, string WorkFolder)> WriteThenDeliver(params string[] folders)
    {
        var data = new HarnessData(_temp["collected"]);
        data.RecordInputs["rows"] = [new RecordBatch(new RecordSchema(["id"]), [new Record(["1"], new SourceRef("in.csv", 2))])];
        List<NodeDefinition> nodes =
        [
            new() { Id = "feed", Type = "test-feed-records", Settings = new JsonObject { ["key"] = "rows" } },
            new() { Id = "write", Type = "write-csv", Settings = new JsonObject { ["fileNameTemplate"] = "out.csv" } },
        ];
        List<EdgeDefinition> edges = [EdgeDefinition.Link("feed", "records", "write", "records")];
        for (var i = 0; i < folders.Length; i++)
        {
            var id = i == 0 ? "deliver" : $"deliver-{i + 1}";
            nodes.Add(new() { Id = id, Type = "local-folder-destination", Settings = new JsonObject { ["folder"] = folders[i] } });
            edges.Add(EdgeDefinition.Link("write", "files", id, "files"));
        }
        var observer = new RecordingObserver();
        var options = new RunOptions { WorkRoot = _temp["work"], OutputFolder = _temp["runs"], Services = data, KeepWorkFolder = true };
        var run = await new DataflowRunner(BlockHarness.Catalog).RunAsync(new DataflowDefinition { Name = "deliver", Nodes = nodes, Edges = edges }, options, observer);
        return (run, observer, _temp["work"]);
    }

    // ---- validation ----------------------------------------------------------------------------

    [Fact]
    public void Validate_AcceptsAFullPath()
    {
        Assert.Empty(Validate(new { folder = Target }));
    }

    [Theory]
    [InlineData("folder", """{}""", "Give the folder that receives the files, e.g. /data/exports.")]
    [InlineData("folder", """{"folder": ""}""", "Give the folder that receives the files")]
    [InlineData("folder", """{"folder": "exports/daily"}""", "Give a full path, e.g. /data/exports or D:\\exports ('exports/daily' would depend on where Connect+ runs).")]
    [InlineData("fileNameTemplate", """{"folder": "/data", "fileNameTemplate": "{when}.csv"}""", "Unknown token {when}")]
    [InlineData("fileNameTemplate", """{"folder": "/data", "fileNameTemplate": "sub/x.csv"}""", "Give a file name, not a path")]
    [InlineData("onConflict", """{"folder": "/data", "onConflict": "overwrite"}""", "Expected one of: rename, replace, skip, fail.")]
    public void Validate_ReportsTheSetting_WhenItIsWrong(string setting, string json, string message)
    {
        var issue = Assert.Single(Validate(json));
        Assert.Equal(setting, issue.Setting);
        Assert.Contains(message, issue.Message, StringComparison.Ordinal);
    }

    /// <summary>Serves content in small reads, calling back before each read after the first; can break after some reads.</summary>
    private sealed class ObservedStream(byte[] content, Action onLaterRead, int? failAfterReads = null) : Stream
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
