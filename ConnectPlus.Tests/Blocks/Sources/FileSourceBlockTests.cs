using System.Text.Json.Nodes;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Sources;

public sealed class FileSourceBlockTests : IDisposable
{
    private static readonly DateTimeOffset RunStart = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string In => _temp["in"];

    private string Write(string relative, string content) => _temp.Write(Path.Combine("in", relative), content);

    private Task<HarnessResult> Read(object settings) =>
        BlockHarness.For("file-source", settings).WithService<IConnectionProvider>(SourceFlow.LocalConnection(_temp.Path)).RunAsync();

    private Task<RunResult> ReadThen(string outcome, object settings, TimeProvider? time = null) =>
        new SourceFlow(_temp).RunAsync("file-source", settings, outcome, time);

    private static string[] FileNames(string folder) =>
        Directory.Exists(folder) ? [.. Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];

    private static IReadOnlyList<ValidationIssue> Validate(object settings) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(BlockHarness.For("file-source", settings).BuildDataflow());

    private static void Age(string path, TimeSpan age) => File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);

    // ---- reading -------------------------------------------------------------------------------

    [Fact]
    public async Task Run_SendsMatchingFilesInNameOrder_StreamedFromTheConnection()
    {
        Write("c.csv", "ccc");
        Write("a.csv", "a");
        Write("B.CSV", "bb");
        Write("notes.txt", "n");
        File.SetLastWriteTimeUtc(Path.Combine(In, "c.csv"), RunStart.UtcDateTime);

        var result = await Read(new { connection = "data", sourceFolder = "in", fileNamePattern = @"\.csv$" });

        result.AssertSucceeded();
        var items = result.Files("files").Select(f => f.Item).ToList();
        Assert.Equal(["a.csv", "B.CSV", "c.csv"], items.Select(i => i.Name));
        Assert.Equal(["a.csv", "B.CSV", "c.csv"], items.Select(i => i.SourcePath));
        Assert.Equal((3L, RunStart), (items[2].Size!.Value, items[2].Modified!.Value));
        Assert.Null(items[2].LocalPath);
        Assert.Equal($"file://{_temp.Path}", items[2].Attributes["location"]);
        Assert.Equal("in/c.csv", items[2].Attributes["path"]);
        Assert.False(items[2].Attributes.ContainsKey("fileSet"));
        Assert.Equal("ccc", result.Files("files")[2].ReadText());
        Assert.Contains(result.Run.Log, l => l.Message == $"3 files in 'in' on file://{_temp.Path} match '\\.csv$'. Reading 3.");
    }

    [Fact]
    public async Task Run_ReadsTheConnectionsRootFolder_WhenSourceFolderIsEmpty()
    {
        _temp.Write("top.csv", "t");
        Write("below.csv", "b");

        var result = await Read(new { connection = "data" });

        result.AssertSucceeded();
        Assert.Equal(["top.csv"], result.Files("files").Select(f => f.Item.SourcePath));
    }

    [Theory]
    [InlineData("/in/")]
    [InlineData("./in")]
    [InlineData("in/sub/..")]
    public async Task Run_TakesTheSourceFolderFromTheRoot_HoweverItIsWritten(string folder)
    {
        Write("a.csv", "a");

        var result = await Read(new { connection = "data", sourceFolder = folder });

        result.AssertSucceeded();
        Assert.Equal("in/a.csv", Assert.Single(result.Files("files")).Item.Attributes["path"]);
    }

    [Fact]
    public async Task Run_SkipsHiddenFilesAndFolders()
    {
        Write("a.csv", "a");
        Write(".a.csv.5f2c.part", "an upload in progress");
        Write(".cache/b.csv", "b");

        var result = await Read(new { connection = "data", sourceFolder = "in", recursive = true });

        result.AssertSucceeded();
        Assert.Equal(["a.csv"], result.Files("files").Select(f => f.Item.Name));
    }

    [Fact]
    public async Task Run_ReadsOnlyTheFolderItself_WhenNotRecursive()
    {
        Write("a.csv", "a");
        Write("sub/b.csv", "b");

        var result = await Read(new { connection = "data", sourceFolder = "in" });

        result.AssertSucceeded();
        Assert.Equal(["a.csv"], result.Files("files").Select(f => f.Item.SourcePath));
    }

    [Fact]
    public async Task Run_ReadsSubfolders_LeavingOutTheProcessedAndErrorFolders_WhenRecursive()
    {
        Write("a.csv", "a");
        Write("sub/deeper/c.csv", "c");
        Write("processed/old.csv", "old");
        Write("failed/bad.csv", "bad");

        var result = await Read(new { connection = "data", sourceFolder = "in", recursive = true, processedFolder = "processed", errorFolder = "/in/failed" });

        result.AssertSucceeded();
        Assert.Equal(["a.csv", "sub/deeper/c.csv"], result.Files("files").Select(f => f.Item.SourcePath));
        Assert.Equal("in/sub/deeper/c.csv", result.Files("files")[1].Item.Attributes["path"]);
    }

    [Fact]
    public async Task Run_SkipsFilesChangedRecently_WhenMinimumAgeSet()
    {
        Age(Write("old.csv", "o"), TimeSpan.FromHours(1));
        Write("fresh.csv", "f");

        var result = await Read(new { connection = "data", sourceFolder = "in", minimumAgeSeconds = 600 });

        result.AssertSucceeded();
        Assert.Equal(["old.csv"], result.Files("files").Select(f => f.Item.Name));
        Assert.Contains(result.Run.Log, l => l.Message.Contains("1 changed less than 600 s ago are left for a later run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ReadsTheFirstFilesByName_AndMovesOnlyThose_WhenMaxFilesPerRunSet()
    {
        foreach (var name in new[] { "e.csv", "d.csv", "c.csv", "b.csv", "a.csv" }) Write(name, name);

        var result = await Read(new { connection = "data", sourceFolder = "in", maxFilesPerRun = 2, processedFolder = "processed" });

        result.AssertSucceeded();
        Assert.Equal(["a.csv", "b.csv"], result.Files("files").Select(f => f.Item.Name));
        Assert.Equal(["c.csv", "d.csv", "e.csv"], FileNames(In));
        Assert.Equal(["a.csv", "b.csv"], FileNames(Path.Combine(In, "processed")));
        Assert.Contains(result.Run.Log, l => l.Message.Contains("reading the first 2 (max files per run), the rest wait for a later run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_SendsNothingAndMovesNothing_WhenTheFolderIsEmpty()
    {
        Directory.CreateDirectory(In);

        var result = await Read(new { connection = "data", sourceFolder = "in", processedFolder = "processed" });

        result.AssertSucceeded();
        Assert.Empty(result.Files("files"));
        Assert.False(Directory.Exists(Path.Combine(In, "processed")));
    }

    // ---- file sets -----------------------------------------------------------------------------

    private static readonly string[] MembersAndSlabs = [@"^members_(\d{8})\.csv$", @"^slab_(\d{8})\.csv$"];

    [Fact]
    public async Task Run_ReadsCompleteFileSets_InTokenOrder_EachFileWithItsToken()
    {
        Write("slab_20250102.csv", "s2");
        Write("members_20250102.csv", "m2");
        Write("members_20250101.csv", "m1");
        Write("slab_20250101.csv", "s1");

        var result = await Read(new { connection = "data", sourceFolder = "in", fileSet = MembersAndSlabs });

        result.AssertSucceeded();
        var items = result.Files("files").Select(f => f.Item).ToList();
        Assert.Equal(["members_20250101.csv", "slab_20250101.csv", "members_20250102.csv", "slab_20250102.csv"], items.Select(i => i.Name));
        Assert.Equal(["20250101", "20250101", "20250102", "20250102"], items.Select(i => i.Attributes["fileSet"]));
        Assert.Contains(result.Run.Log, l => l.Message.EndsWith(". Reading 4 files in 2 file sets.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_LeavesAnIncompleteSetForALaterRun_AndSaysWhatIsMissing()
    {
        Write("members_20250101.csv", "m1");
        Write("slab_20250101.csv", "s1");
        Write("members_20250102.csv", "m2");

        var result = await Read(new { connection = "data", sourceFolder = "in", fileSet = MembersAndSlabs, processedFolder = "processed" });

        result.AssertSucceeded();
        Assert.Equal(["members_20250101.csv", "slab_20250101.csv"], result.Files("files").Select(f => f.Item.Name));
        Assert.Contains(result.Run.Log, l => l.Message == @"File set '20250102' is incomplete: no file matches ^slab_(\d{8})\.csv$; its 1 files wait for a later run.");
        Assert.Contains(result.Run.Log, l => l.Message.Contains("1 incomplete file sets wait for a later run", StringComparison.Ordinal));
        Assert.Equal(["members_20250102.csv"], FileNames(In));
    }

    [Fact]
    public async Task Run_ReadsASetOnceItsLastFileArrives()
    {
        Write("members_20250102.csv", "m2");
        var first = await Read(new { connection = "data", sourceFolder = "in", fileSet = MembersAndSlabs, processedFolder = "processed" });
        Write("slab_20250102.csv", "s2");

        var second = await Read(new { connection = "data", sourceFolder = "in", fileSet = MembersAndSlabs, processedFolder = "processed" });

        first.AssertSucceeded();
        Assert.Empty(first.Files("files"));
        second.AssertSucceeded();
        Assert.Equal(["members_20250102.csv", "slab_20250102.csv"], second.Files("files").Select(f => f.Item.Name));
        Assert.Equal(["members_20250102.csv", "slab_20250102.csv"], FileNames(Path.Combine(In, "processed")));
    }

    [Fact]
    public async Task Run_HoldsASetBack_WhileOneOfItsFilesIsTooRecent()
    {
        Age(Write("members_20250101.csv", "m1"), TimeSpan.FromHours(1));
        Write("slab_20250101.csv", "still being written");

        var result = await Read(new { connection = "data", sourceFolder = "in", fileSet = MembersAndSlabs, minimumAgeSeconds = 60 });

        result.AssertSucceeded();
        Assert.Empty(result.Files("files"));
        Assert.Contains(result.Run.Log, l => l.Message.StartsWith("File set '20250101' is incomplete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ReadsTheFirstSets_WhenMaxFilesPerRunSet()
    {
        foreach (var day in new[] { "20250103", "20250101", "20250102" })
        {
            Write($"members_{day}.csv", "m");
            Write($"slab_{day}.csv", "s");
        }

        var result = await Read(new { connection = "data", sourceFolder = "in", fileSet = MembersAndSlabs, maxFilesPerRun = 2 });

        result.AssertSucceeded();
        Assert.Equal(["20250101", "20250101", "20250102", "20250102"], result.Files("files").Select(f => f.Item.Attributes["fileSet"]));
        Assert.Contains(result.Run.Log, l => l.Message.Contains("reading the first 2 complete file sets (max files per run)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ReadsNoFileOutsideTheSetPatterns()
    {
        Write("members_20250101.csv", "m1");
        Write("slab_20250101.csv", "s1");
        Write("readme.txt", "r");

        var result = await Read(new { connection = "data", sourceFolder = "in", fileSet = MembersAndSlabs });

        result.AssertSucceeded();
        Assert.Equal(2, result.Files("files").Count);
        Assert.Contains(result.Run.Log, l => l.Message.Contains("1 match no file set pattern and are not read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ReadsEveryFileOfAPattern_AndWarns_WhenASetHasSeveral()
    {
        Write("a/members_20250101.csv", "m1");
        Write("b/members_20250101.csv", "m1 again");
        Write("slab_20250101.csv", "s1");

        var result = await Read(new { connection = "data", sourceFolder = "in", recursive = true, fileSet = MembersAndSlabs });

        result.AssertSucceeded();
        Assert.Equal(["a/members_20250101.csv", "b/members_20250101.csv", "slab_20250101.csv"], result.Files("files").Select(f => f.Item.SourcePath));
        Assert.Contains(result.Run.Log, l => l.Level == RunLogLevel.Warning && l.Message.StartsWith("File set '20250101' has 2 files for one pattern", StringComparison.Ordinal));
    }

    // ---- after the run ------------------------------------------------------------------------

    [Fact]
    public async Task Completion_MovesFilesToTheProcessedFolderInsideTheSourceFolder_WhenRunSucceeds()
    {
        Write("a.csv", "a");
        Write("2025/b.csv", "b");

        var run = await ReadThen("pass", new { connection = "data", sourceFolder = "in", recursive = true, processedFolder = "processed", errorFolder = "error" });

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Empty(FileNames(In));
        Assert.Equal(["a.csv"], FileNames(Path.Combine(In, "processed")));
        Assert.Equal("b", File.ReadAllText(Path.Combine(In, "processed", "2025", "b.csv")));
        Assert.False(Directory.Exists(Path.Combine(In, "error")));
        Assert.Contains(run.Messages(), m => m == $"Moved 'in/a.csv' on file://{_temp.Path} to 'in/processed/a.csv' on file://{_temp.Path}.");
    }

    [Fact]
    public async Task Completion_MovesFilesToAFolderFromTheRoot_WhenTheFolderStartsWithSlash()
    {
        Write("a.csv", "a");

        var run = await ReadThen("reject", new { connection = "data", sourceFolder = "in", processedFolder = "/archive/done" });

        Assert.Equal(RunOutcome.SucceededWithErrors, run.Outcome);
        Assert.Equal(["a.csv"], FileNames(_temp["archive/done"]));
    }

    [Fact]
    public async Task Completion_MovesFilesToTheErrorFolder_WhenRunFails()
    {
        Write("a.csv", "a");
        Write("b.csv", "b");

        var run = await ReadThen("fail", new { connection = "data", sourceFolder = "in", processedFolder = "processed", errorFolder = "error" });

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal(["a.csv", "b.csv"], FileNames(Path.Combine(In, "error")));
        Assert.False(Directory.Exists(Path.Combine(In, "processed")));
    }

    [Fact]
    public async Task Completion_LeavesFilesInPlace_WhenRunCancelled()
    {
        Write("a.csv", "a");

        var run = await ReadThen("cancel", new { connection = "data", sourceFolder = "in", processedFolder = "processed", errorFolder = "error" });

        Assert.Equal(RunOutcome.Cancelled, run.Outcome);
        Assert.Equal(["a.csv"], FileNames(In));
        Assert.Contains(run.Messages(), m => m.Contains("cancelled: the 1 files read stay in 'in' on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Completion_LeavesFilesInPlace_WhenNoFolderIsSetForTheOutcome()
    {
        Write("a.csv", "a");

        var run = await ReadThen("fail", new { connection = "data", sourceFolder = "in", processedFolder = "processed" });

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Equal(["a.csv"], FileNames(In));
        Assert.Contains(run.Messages(), m => m.StartsWith("No error folder is set: the 1 files read stay in 'in'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Completion_AddsTheRunStartToTheName_WhenTheProcessedFolderHasTheFileAlready()
    {
        Write("a.csv", "new");
        Write("processed/a.csv", "old");
        Write("processed/a_20250102-030405.csv", "older");

        var run = await ReadThen("pass", new { connection = "data", sourceFolder = "in", processedFolder = "processed" }, new FixedTime(RunStart));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal("old", File.ReadAllText(Path.Combine(In, "processed", "a.csv")));
        Assert.Equal("older", File.ReadAllText(Path.Combine(In, "processed", "a_20250102-030405.csv")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(In, "processed", "a_20250102-030405_2.csv")));
    }

    [Fact]
    public async Task Completion_WarnsAndKeepsTheFile_WhenTheProcessedFolderCannotBeMade()
    {
        Write("a.csv", "a");
        Write("processed", "a file where the processed folder should be");

        var run = await ReadThen("pass", new { connection = "data", sourceFolder = "in", fileNamePattern = @"\.csv$", processedFolder = "processed" });

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.True(File.Exists(Path.Combine(In, "a.csv")));
        Assert.Contains(run.Messages(RunLogLevel.Warning), m => m.StartsWith($"Could not move 'in/a.csv' on file://{_temp.Path} to the processed folder", StringComparison.Ordinal)
            && m.EndsWith("The file stays where it is. It is read again by the next run.", StringComparison.Ordinal));
        Assert.Contains(run.Messages(RunLogLevel.Warning), m => m.StartsWith("Moved 0 of 1 files read", StringComparison.Ordinal));
    }

    // ---- faults --------------------------------------------------------------------------------

    [Fact]
    public async Task Run_FailsNamingTheConnectionSetting_WhenTheConnectionIsUnknown()
    {
        var result = await Read(new { connection = "nope", sourceFolder = "in" });

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Equal("block", result.Run.FailedNodeId);
        Assert.Contains("Setting 'connection': There is no connection named 'nope'. Known connections: data.", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailsNamingTheConnection_WhenTheHostHasNoConnections()
    {
        var result = await BlockHarness.For("file-source", new { connection = "data" }).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("needs connection 'data', but this host provides no connections", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailsNamingTheConnectionSetting_WhenTheConnectionIsIncomplete()
    {
        var broken = new InMemoryConnectionProvider([new ConnectionDefinition { Name = "data", Type = "local", Settings = [] }]);

        var result = await BlockHarness.For("file-source", new { connection = "data" }).WithService<IConnectionProvider>(broken).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("Setting 'connection': Connection 'data' is not complete: folder: Give the folder's path.", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailsNamingTheSourceFolderSetting_WhenTheFolderIsMissing()
    {
        var result = await Read(new { connection = "data", sourceFolder = "nowhere" });

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"The folder 'nowhere' on file://{_temp.Path} does not exist. Check the setting 'sourceFolder'.", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WritesEachRetryToTheRunLog_AndFailsAfterTheLastAttempt_WhenTheServerRefuses()
    {
        var port = ConnectPlus.Tests.Connectors.PrivateServer.FreePort();
        var connections = new InMemoryConnectionProvider([new ConnectionDefinition
        {
            Name = "brand-sftp",
            Type = "sftp",
            Settings = new JsonObject
            {
                ["host"] = "127.0.0.1", ["port"] = port, ["username"] = "nobody", ["password"] = "secret-Pa55",
                ["retryAttempts"] = 3, ["retryDelaySeconds"] = 0,
            },
        }]);

        var result = await BlockHarness.For("file-source", new { connection = "brand-sftp", sourceFolder = "in" })
            .WithService<IConnectionProvider>(connections).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        var retries = result.Run.Log.Where(l => l.Level == RunLogLevel.Warning && l.NodeId == "block").Select(l => l.Message).ToList();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, r => Assert.StartsWith($"sftp://nobody@127.0.0.1:{port}/~: could not list 'in': ", r, StringComparison.Ordinal));
        Assert.All(retries, r => Assert.DoesNotContain("secret-Pa55", r, StringComparison.Ordinal));
        Assert.EndsWith("Trying again in 0.0 s (attempt 2 of 3).", retries[0], StringComparison.Ordinal);
        Assert.EndsWith("Trying again in 0.0 s (attempt 3 of 3).", retries[1], StringComparison.Ordinal);
    }

    // ---- settings ------------------------------------------------------------------------------

    [Fact]
    public void Catalog_OffersConnectionsOfEveryFileType_ForTheConnectionSetting()
    {
        var setting = BlockCatalog.Default.Find("file-source")!.FindSetting("connection")!;

        Assert.Equal(EditorHint.Connection, setting.Editor);
        Assert.Equal(["local", "sftp", "ftp", "s3"], setting.ConnectionTypes!);
        Assert.True(setting.Required);
    }

    [Fact]
    public void Validate_ReportsNothing_ForAFullSetup()
    {
        Assert.Empty(Validate(new
        {
            connection = "data", sourceFolder = "exports/in", fileNamePattern = @"\.csv$", recursive = true, minimumAgeSeconds = 60,
            maxFilesPerRun = 10, fileSet = MembersAndSlabs, processedFolder = "processed", errorFolder = "/exports/error",
        }));
    }

    [Theory]
    [InlineData("connection", """{}""", "Choose the connection that holds the files.")]
    [InlineData("fileNamePattern", """{"connection": "data", "fileNamePattern": "*.csv"}""", "not a valid regular expression")]
    [InlineData("sourceFolder", """{"connection": "data", "sourceFolder": "../up"}""", "climbs above the connection's root folder")]
    [InlineData("processedFolder", """{"connection": "data", "sourceFolder": "in", "processedFolder": "/in"}""", "The processed folder must differ from the folder read")]
    [InlineData("errorFolder", """{"connection": "data", "sourceFolder": "in", "errorFolder": "."}""", "The error folder must differ from the folder read")]
    [InlineData("processedFolder", """{"connection": "data", "processedFolder": "../done"}""", "The processed folder climbs above")]
    [InlineData("maxFilesPerRun", """{"connection": "data", "maxFilesPerRun": 0}""", "Max files per run must be at least 1")]
    [InlineData("minimumAgeSeconds", """{"connection": "data", "minimumAgeSeconds": -1}""", "Minimum age must be 0 or more seconds.")]
    [InlineData("fileSet", """{"connection": "data", "fileSet": ["members_(\\d+)"]}""", "A file set needs two or more patterns")]
    [InlineData("fileSet", """{"connection": "data", "fileSet": ["members_\\d+", "slab_(\\d+)"]}""", "File set pattern 1 'members_\\d+' has no group in parentheses")]
    [InlineData("fileSet", """{"connection": "data", "fileSet": ["members_(\\d+", "slab_(\\d+)"]}""", "File set pattern 1 'members_(\\d+' is not a valid regular expression")]
    [InlineData("fileSet", """{"connection": "data", "fileSet": ["m_(\\d+)", "m_(\\d+)"]}""", "File set pattern 2 'm_(\\d+)' is given twice")]
    [InlineData("fileSet", """{"connection": "data", "fileSet": ["m_(\\d+)", " "]}""", "File set pattern 2 is empty")]
    public void Validate_ReportsTheSetting_WhenItIsWrong(string setting, string json, string message)
    {
        var issue = Assert.Single(Validate(JsonNode.Parse(json)!.AsObject()));

        Assert.Equal(("block", setting), (issue.NodeId, issue.Setting));
        Assert.Contains(message, issue.Message, StringComparison.Ordinal);
    }
}
