using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Sources;

public sealed class LocalFolderSourceBlockTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly DateTimeOffset RunStart = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private string In => _temp["in"];

    [Fact]
    public async Task Run_EmitsMatchingFiles_InNameOrder()
    {
        Write("c.csv", "ccc");
        Write("a.csv", "a");
        Write("B.CSV", "bb");
        Write("notes.txt", "n");

        var result = await Read(new { folder = In, fileNamePattern = @"\.csv$" });

        result.AssertSucceeded();
        var items = result.Files("files").Select(f => f.Item).ToList();
        Assert.Equal(["a.csv", "B.CSV", "c.csv"], items.Select(i => i.Name));
        Assert.Equal(["a.csv", "B.CSV", "c.csv"], items.Select(i => i.SourcePath));
        Assert.Equal(Path.Combine(In, "c.csv"), items[2].LocalPath);
        Assert.Equal(3, items[2].Size);
        Assert.Equal("ccc", result.Files("files")[2].ReadText());
    }

    [Fact]
    public async Task Run_EmitsEveryFile_WithTheDefaultPattern()
    {
        Write("a.csv", "a");
        Write("b.json", "{}");

        var result = await Read(new { folder = In });

        result.AssertSucceeded();
        Assert.Equal(["a.csv", "b.json"], result.Files("files").Select(f => f.Item.Name));
    }

    [Fact]
    public async Task Run_SkipsHiddenFiles()
    {
        Write("a.csv", "a");
        Write(".upload-in-progress.csv", "partial");

        var result = await Read(new { folder = In });

        result.AssertSucceeded();
        Assert.Equal(["a.csv"], result.Files("files").Select(f => f.Item.Name));
    }

    [Fact]
    public async Task Run_ReadsOnlyTheFolderItself_WhenNotRecursive()
    {
        Write("a.csv", "a");
        Write("sub/b.csv", "b");

        var result = await Read(new { folder = In });

        result.AssertSucceeded();
        Assert.Equal(["a.csv"], result.Files("files").Select(f => f.Item.SourcePath));
    }

    [Fact]
    public async Task Run_ReadsSubfolders_WithPathsRelativeToTheFolder_WhenRecursive()
    {
        Write("sub/deeper/c.csv", "c");
        Write("a.csv", "a");
        Write("sub/b.csv", "b");

        var result = await Read(new { folder = In, recursive = true });

        result.AssertSucceeded();
        Assert.Equal(["a.csv", "sub/b.csv", "sub/deeper/c.csv"], result.Files("files").Select(f => f.Item.SourcePath));
        Assert.Equal("c.csv", result.Files("files")[2].Item.Name);
    }

    [Fact]
    public async Task Run_LeavesOutProcessedAndErrorFolders_WhenRecursive()
    {
        Write("a.csv", "a");
        Write("sub/b.csv", "b");
        Write("done/old.csv", "old");
        Write("failed/bad.csv", "bad");

        var result = await Read(new { folder = In, recursive = true, processedFolder = "done", errorFolder = Path.Combine(In, "failed") });

        result.AssertSucceeded();
        Assert.Equal(["a.csv", "sub/b.csv"], result.Files("files").Select(f => f.Item.SourcePath));
    }

    [Fact]
    public async Task Run_ReadsTheFirstFilesByName_WhenMaxFilesSet()
    {
        foreach (var name in new[] { "e.csv", "d.csv", "c.csv", "b.csv", "a.csv" }) Write(name, name);

        var result = await Read(new { folder = In, maxFiles = 2, processedFolder = "processed" });

        result.AssertSucceeded();
        Assert.Equal(["a.csv", "b.csv"], result.Files("files").Select(f => f.Item.Name));
        Assert.Equal(["c.csv", "d.csv", "e.csv"], FileNames(In));
        Assert.Equal(["a.csv", "b.csv"], FileNames(Path.Combine(In, "processed")));
    }

    [Fact]
    public async Task Run_SkipsFilesChangedRecently_WhenMinimumAgeSet()
    {
        var old = Write("old.csv", "o");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-1));
        Write("fresh.csv", "f");

        var result = await Read(new { folder = In, minimumAgeSeconds = 600 });

        result.AssertSucceeded();
        Assert.Equal(["old.csv"], result.Files("files").Select(f => f.Item.Name));
        Assert.Contains(result.Run.Log, l => l.Message.Contains("1 changed less than 600 s ago", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Fails_NamingSettingAndPath_WhenFolderMissing()
    {
        var missing = _temp["nowhere"];

        var result = await Read(new { folder = missing });

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Equal("block", result.Run.FailedNodeId);
        Assert.Contains($"The folder '{missing}' does not exist", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("setting 'folder'", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_EmitsNothing_WhenFolderIsEmpty()
    {
        Directory.CreateDirectory(In);

        var result = await Read(new { folder = In, processedFolder = "processed" });

        result.AssertSucceeded();
        Assert.Empty(result.Files("files"));
        Assert.False(Directory.Exists(Path.Combine(In, "processed")));
    }

    [Fact]
    public async Task Completion_MovesFilesToProcessedFolder_WhenRunSucceeds()
    {
        Write("a.csv", "a");
        Write("b.csv", "b");

        var result = await Read(new { folder = In, processedFolder = "processed", errorFolder = "error" });

        result.AssertSucceeded();
        Assert.Empty(FileNames(In));
        Assert.Equal(["a.csv", "b.csv"], FileNames(Path.Combine(In, "processed")));
        Assert.False(Directory.Exists(Path.Combine(In, "error")));
        Assert.Contains(result.Run.Log, l => l.Message == $"Moved {Path.Combine(In, "a.csv")} to {Path.Combine(In, "processed", "a.csv")}.");
    }

    [Fact]
    public async Task Completion_MovesFilesToProcessedFolder_WhenRunSucceedsWithErrors()
    {
        Write("a.csv", "a");

        var run = await ReadThen("reject", new { folder = In, processedFolder = _temp["processed"], errorFolder = _temp["error"] });

        Assert.Equal(RunOutcome.SucceededWithErrors, run.Outcome);
        Assert.Equal(["a.csv"], FileNames(_temp["processed"]));
        Assert.Empty(FileNames(In));
    }

    [Fact]
    public async Task Completion_MovesFilesToErrorFolder_WhenRunFails()
    {
        Write("a.csv", "a");
        Write("b.csv", "b");

        var run = await ReadThen("fail", new { folder = In, processedFolder = "processed", errorFolder = "error" });

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal("sink", run.FailedNodeId);
        Assert.Equal(["a.csv", "b.csv"], FileNames(Path.Combine(In, "error")));
        Assert.False(Directory.Exists(Path.Combine(In, "processed")));
        Assert.Empty(FileNames(In));
    }

    [Fact]
    public async Task Completion_LeavesFilesInPlace_WhenRunCancelled()
    {
        Write("a.csv", "a");

        var run = await ReadThen("cancel", new { folder = In, processedFolder = "processed", errorFolder = "error" });

        Assert.Equal(RunOutcome.Cancelled, run.Outcome);
        Assert.Equal(["a.csv"], FileNames(In));
        Assert.False(Directory.Exists(Path.Combine(In, "processed")));
        Assert.False(Directory.Exists(Path.Combine(In, "error")));
        Assert.Contains(run.Log, l => l.Message.Contains("cancelled: the 1 files read stay in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Completion_LeavesFilesInPlace_WhenNoFolderSetForTheOutcome()
    {
        Write("a.csv", "a");

        var succeeded = await Read(new { folder = In, errorFolder = "error" });
        var failed = await ReadThen("fail", new { folder = In, processedFolder = "processed" });

        succeeded.AssertSucceeded();
        Assert.Equal(RunOutcome.Failed, failed.Outcome);
        Assert.Equal(["a.csv"], FileNames(In));
        Assert.Contains(failed.Log, l => l.Message.Contains("No error folder is set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Completion_KeepsSubfolders_WhenRecursive()
    {
        Write("a.csv", "a");
        Write("2025/01/b.csv", "b");
        var processed = _temp["archive"];

        var result = await Read(new { folder = In, recursive = true, processedFolder = processed });

        result.AssertSucceeded();
        Assert.True(File.Exists(Path.Combine(processed, "a.csv")));
        Assert.Equal("b", File.ReadAllText(Path.Combine(processed, "2025", "01", "b.csv")));
        Assert.False(File.Exists(Path.Combine(In, "2025", "01", "b.csv")));
    }

    [Fact]
    public async Task Completion_AddsTheRunStartToTheName_WhenProcessedFolderHasTheFileAlready()
    {
        Write("a.csv", "new");
        Write("processed/a.csv", "old");

        var run = await ReadThen("pass", new { folder = In, processedFolder = "processed" }, new FixedTime(RunStart));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        var processed = Path.Combine(In, "processed");
        Assert.Equal(["a.csv", "a_20250102-030405.csv"], FileNames(processed));
        Assert.Equal("old", File.ReadAllText(Path.Combine(processed, "a.csv")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(processed, "a_20250102-030405.csv")));
    }

    [Fact]
    public async Task Completion_AddsACounter_WhenTheTimedNameIsTakenToo()
    {
        Write("a.csv", "new");
        Write("processed/a.csv", "old");
        Write("processed/a_20250102-030405.csv", "older");

        var run = await ReadThen("pass", new { folder = In, processedFolder = "processed" }, new FixedTime(RunStart));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal("new", File.ReadAllText(Path.Combine(In, "processed", "a_20250102-030405_2.csv")));
        Assert.Equal("older", File.ReadAllText(Path.Combine(In, "processed", "a_20250102-030405.csv")));
    }

    [Fact]
    public async Task Run_ReadsFilesStampedInTheFuture_WhenNoMinimumAge()
    {
        var future = Write("future.csv", "f");
        File.SetLastWriteTimeUtc(future, DateTime.UtcNow.AddDays(1));

        var result = await Read(new { folder = In });

        result.AssertSucceeded();
        Assert.Equal(["future.csv"], result.Files("files").Select(f => f.Item.Name));
    }

    [Fact]
    public async Task Completion_MovesTheOtherFiles_AndWarns_WhenOneCannotBeMoved()
    {
        Write("a.csv", "a");
        Write("b.csv", "b");

        var run = await ReadThen("delete-first", new { folder = In, processedFolder = "processed" });

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(["b.csv"], FileNames(Path.Combine(In, "processed")));
        Assert.Contains(run.Log, l => l.Level == RunLogLevel.Warning && l.Message.Contains($"Could not move {Path.Combine(In, "a.csv")}", StringComparison.Ordinal));
        Assert.Contains(run.Log, l => l.Level == RunLogLevel.Warning && l.Message.Contains("Moved 1 of 2 files", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ReportsFileNamePattern_WhenNotARegularExpression()
    {
        var issue = Assert.Single(Validate(new { folder = In, fileNamePattern = "*.csv" }));

        Assert.Equal(("block", "fileNamePattern"), (issue.NodeId, issue.Setting));
        Assert.Contains("not a valid regular expression", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsFolder_WhenMissing()
    {
        var issue = Assert.Single(Validate(new { }));

        Assert.Equal(("block", "folder"), (issue.NodeId, issue.Setting));
    }

    [Theory]
    [InlineData("maxFiles", 0)]
    [InlineData("minimumAgeSeconds", -1)]
    public void Validate_ReportsNumber_WhenOutOfRange(string setting, int value)
    {
        var issue = Assert.Single(Validate(new JsonObject { ["folder"] = In, [setting] = value }));

        Assert.Equal(("block", setting), (issue.NodeId, issue.Setting));
    }

    [Theory]
    [InlineData("processedFolder")]
    [InlineData("errorFolder")]
    public void Validate_ReportsMoveFolder_WhenItIsTheFolderRead(string setting)
    {
        var issue = Assert.Single(Validate(new JsonObject { ["folder"] = In, [setting] = In + Path.DirectorySeparatorChar }));

        Assert.Equal(("block", setting), (issue.NodeId, issue.Setting));
        Assert.Contains("must differ from the folder read", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsNothing_ForAFullSetup()
    {
        Assert.Empty(Validate(new { folder = In, fileNamePattern = @"^members_.*\.csv$", recursive = true, processedFolder = "processed", errorFolder = "/var/error", maxFiles = 10, minimumAgeSeconds = 60 }));
    }

    private string Write(string relative, string content) => _temp.Write(Path.Combine("in", relative), content);

    private static string[] FileNames(string folder) =>
        Directory.Exists(folder) ? [.. Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];

    private static Task<HarnessResult> Read(object settings) => BlockHarness.For("local-folder-source", settings).RunAsync();

    private static IReadOnlyList<ValidationIssue> Validate(object settings) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(BlockHarness.For("local-folder-source", settings).BuildDataflow());

    /// <summary>Runs the source into a <see cref="OutcomeBlock"/> that ends the run the way the test needs.</summary>
    private async Task<RunResult> ReadThen(string outcome, object settings, TimeProvider? time = null)
    {
        var dataflow = new DataflowDefinition
        {
            Name = "source then " + outcome,
            Nodes =
            [
                new() { Id = "block", Type = "local-folder-source", Settings = JsonSerializer.SerializeToNode(settings, DataflowJson.Options)!.AsObject() },
                new() { Id = "sink", Type = OutcomeBlock.Type, Settings = new JsonObject { ["outcome"] = outcome } },
            ],
            Edges = [EdgeDefinition.Link("block", "files", "sink", "files")],
        };
        using var cancel = new CancellationTokenSource();
        var services = new HarnessData(_temp["collected"]);
        services.Extra[typeof(CancellationTokenSource)] = cancel;
        var options = new RunOptions { WorkRoot = _temp["work"], OutputFolder = _temp["runs"], Services = services, Time = time ?? TimeProvider.System };
        return await new DataflowRunner(BlockHarness.Catalog).RunAsync(dataflow, options, null, cancel.Token);
    }
}

/// <summary>A clock that always tells the same time.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Settings of <see cref="OutcomeBlock"/>.</summary>
public sealed class OutcomeSettings
{
    /// <summary>pass, reject, fail, cancel or delete-first.</summary>
    public string Outcome { get; set; } = "pass";
}

/// <summary>Test block: reads every file, then ends the run as its setting says.</summary>
[Block(Type, 1, "Test local source outcome", BlockCategory.Destinations)]
[Input("files", PortKind.Files)]
public sealed class OutcomeBlock : Block<OutcomeSettings>
{
    public const string Type = "test-local-source-outcome";

    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        var files = new List<FileItem>();
        await foreach (var file in context.ReadFilesAsync("files", cancellationToken)) files.Add(file);
        switch (Settings.Outcome)
        {
            case "reject":
                var schema = new RecordSchema(["file"]);
                await context.RejectAsync(schema, new Record([files[0].Name], SourceRef.None), "test", "rejected by the test", cancellationToken);
                break;
            case "fail":
                throw new BlockException("The test block fails on purpose.");
            case "cancel":
                await ((CancellationTokenSource)context.Services!.GetService(typeof(CancellationTokenSource))!).CancelAsync();
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
            case "delete-first":
                File.Delete(files[0].LocalPath!);
                break;
        }
    }
}
