using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Sources;

/// <summary>Both file sources with a processed-file ledger: a file processed once is not read again.</summary>
public sealed class FileSourceLedgerTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly JsonLinesProcessedFileLedger _ledger;
    private readonly SourceFlow _flow;

    public FileSourceLedgerTests()
    {
        _ledger = new JsonLinesProcessedFileLedger(_temp["ledger"]);
        _flow = new SourceFlow(_temp) { Ledger = _ledger };
    }

    public void Dispose() => _temp.Dispose();

    private string In => _temp["in"];

    private string Write(string relative, string content) => _temp.Write(Path.Combine("in", relative), content);

    public static TheoryData<string> Sources() => ["file-source", "local-folder-source"];

    /// <summary>The same reading, in the words of each block's settings.</summary>
    private object Settings(string blockType, string? processedFolder = null, string? errorFolder = null) => blockType == "file-source"
        ? new { connection = SourceFlow.Connection, sourceFolder = "in", fileNamePattern = @"\.csv$", processedFolder, errorFolder }
        : new { folder = In, fileNamePattern = @"\.csv$", processedFolder, errorFolder };

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Run_DoesNotReadAFileAgain_AfterASuccessfulRunWhoseMoveToProcessedFailed(string source)
    {
        Write("a.csv", "a");
        Write("processed", "a file where the processed folder should be");

        var first = await _flow.RunAsync(source, Settings(source, processedFolder: "processed"));
        var second = await _flow.RunAsync(source, Settings(source, processedFolder: "processed"));

        Assert.Equal(RunOutcome.Succeeded, first.Outcome);
        Assert.Equal(1, first.FilesRead());
        Assert.Contains(first.Messages(RunLogLevel.Warning), m => m.Contains("The processed-file ledger keeps it from being read again.", StringComparison.Ordinal));
        Assert.Equal(RunOutcome.Succeeded, second.Outcome);
        Assert.Equal(0, second.FilesRead());
        Assert.Contains(second.Messages(), m => m.Contains($"skipped: already processed by run {first.RunId} (", StringComparison.Ordinal));
        Assert.Contains(second.Messages(), m => m.Contains("; 1 already processed are skipped", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(In, "a.csv")));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Run_ReadsAFileAgain_WhenTheRunThatReadItFailed(string source)
    {
        Write("a.csv", "a");

        var failed = await _flow.RunAsync(source, Settings(source), "fail");
        var retried = await _flow.RunAsync(source, Settings(source));

        Assert.Equal(RunOutcome.Failed, failed.Outcome);
        Assert.Equal(RunOutcome.Succeeded, retried.Outcome);
        Assert.Equal(1, retried.FilesRead());
        Assert.Contains(retried.Messages(), m => m.Contains($"was read by run {failed.RunId}, which did not succeed: reading it again.", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Run_ReadsAFileAgain_WhenItChangedSinceItWasProcessed(string source)
    {
        var path = Write("a.csv", "a");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
        var first = await _flow.RunAsync(source, Settings(source));
        var unchanged = await _flow.RunAsync(source, Settings(source));
        File.WriteAllText(path, "a, corrected");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));

        var changed = await _flow.RunAsync(source, Settings(source));

        Assert.Equal((1L, 0L, 1L), (first.FilesRead(), unchanged.FilesRead(), changed.FilesRead()));
    }

    [Fact]
    public async Task Run_ReadsAFileAgain_WhenOnlyItsModifiedTimeChanged()
    {
        var path = Write("a.csv", "a");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
        await _flow.RunAsync("file-source", Settings("file-source"));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));

        var touched = await _flow.RunAsync("file-source", Settings("file-source"));

        Assert.Equal(1, touched.FilesRead());
    }

    [Fact]
    public async Task Run_ReadsAFileAgain_AndWarns_WhenTheRunThatTookItRecordedNoOutcome()
    {
        var path = Write("a.csv", "a");
        var info = new FileInfo(path);
        var key = new ProcessedFileKey($"file://{_temp.Path}/in", "a.csv", info.Length, info.LastWriteTimeUtc);
        await _ledger.RecordAsync([new ProcessedFileRecord(key, null, "crashed-run", ProcessedFileOutcome.Processing, DateTimeOffset.UtcNow)], CancellationToken.None);

        var run = await _flow.RunAsync("file-source", Settings("file-source"));

        Assert.Equal(1, run.FilesRead());
        Assert.Contains(run.Messages(RunLogLevel.Warning), m => m.EndsWith("was taken by run crashed-run, which recorded no outcome (it may have stopped): reading it again.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ReadsAFileAgain_WhenTheRunThatReadItWasCancelled()
    {
        Write("a.csv", "a");

        var cancelled = await _flow.RunAsync("file-source", Settings("file-source"), "cancel");
        var next = await _flow.RunAsync("file-source", Settings("file-source"));

        Assert.Equal(RunOutcome.Cancelled, cancelled.Outcome);
        Assert.Equal(1, next.FilesRead());
    }

    [Fact]
    public async Task Run_RecordsTheFileAsProcessingThenAsSucceeded_InTheLedgerFile()
    {
        var path = Write("a.csv", "abc");

        var run = await _flow.RunAsync("file-source", Settings("file-source"));

        var lines = File.ReadAllLines(_ledger.FileOf($"file://{_temp.Path}/in"));
        Assert.Equal(2, lines.Length);
        Assert.Contains($"\"location\":\"file://{_temp.Path}/in\",\"path\":\"a.csv\",\"size\":3,", lines[0], StringComparison.Ordinal);
        Assert.Contains($"\"run\":\"{run.RunId}\",\"outcome\":\"processing\"", lines[0], StringComparison.Ordinal);
        Assert.Contains($"\"run\":\"{run.RunId}\",\"outcome\":\"succeeded\"", lines[1], StringComparison.Ordinal);
        Assert.Contains($"\"modified\":\"{new DateTimeOffset(File.GetLastWriteTimeUtc(path)):O}\"", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SharesTheLedger_BetweenTheLocalFolderSourceAndAFileSourceOnTheSameFolder()
    {
        Write("a.csv", "a");

        var local = await _flow.RunAsync("local-folder-source", Settings("local-folder-source"));
        var onConnection = await _flow.RunAsync("file-source", Settings("file-source"));

        Assert.Equal((1L, 0L), (local.FilesRead(), onConnection.FilesRead()));
    }

    [Fact]
    public async Task Completion_MovesAFileProcessedEarlier_OnceItsProcessedFolderCanBeMade()
    {
        Write("a.csv", "a");
        var blocker = Write("processed", "a file where the processed folder should be");
        await _flow.RunAsync("file-source", Settings("file-source", processedFolder: "processed"));
        File.Delete(blocker);

        var later = await _flow.RunAsync("file-source", Settings("file-source", processedFolder: "processed"));

        Assert.Equal(0, later.FilesRead());
        Assert.Equal("a", File.ReadAllText(Path.Combine(In, "processed", "a.csv")));
        Assert.False(File.Exists(Path.Combine(In, "a.csv")));
        Assert.Contains(later.Messages(), m => m.StartsWith("Moved 1 of 1 files processed by earlier runs to the processed folder", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_FailsWithoutReadingAnything_WhenTheLedgerCannotBeWritten()
    {
        Write("a.csv", "a");
        var broken = new SourceFlow(_temp) { Ledger = new JsonLinesProcessedFileLedger(_temp.Write("not-a-folder", "a file where the ledger folder should be")) };

        var run = await broken.RunAsync("file-source", Settings("file-source"));

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Contains("Cannot record the files taken in the processed-file ledger, so nothing is read", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, run.FilesRead());
    }
}
