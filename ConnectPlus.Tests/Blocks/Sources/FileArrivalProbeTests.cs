using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Blocks.Sources;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Connectors;
using ConnectPlus.Tests.Harness;
using Microsoft.Extensions.Time.Testing;

namespace ConnectPlus.Tests.Blocks.Sources;

/// <summary>The file-arrival probe picks as the file sources do: pattern, subfolders, minimum age, complete sets, the ledger.</summary>
public sealed class FileArrivalProbeTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly FileArrivalProbe _probe = new(BlockHarness.Catalog);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Probe_FindsNothing_WhenTheFolderHasNoMatchingFile()
    {
        Write("in/readme.txt");

        var result = await ProbeAsync(FileSource(new { sourceFolder = "in", fileNamePattern = @"\.csv$" }));

        Assert.False(result.HasNewFiles);
        Assert.Equal(0, result.NewFiles);
    }

    [Fact]
    public async Task Probe_FindsNewFiles_WhenMatchingFilesArrived()
    {
        Write("in/members_1.csv");
        Write("in/members_2.csv");
        Write("in/readme.txt");

        var result = await ProbeAsync(FileSource(new { sourceFolder = "in", fileNamePattern = @"\.csv$" }));

        Assert.True(result.HasNewFiles);
        Assert.Equal(2, result.NewFiles);
        Assert.Equal("block", result.Sources.Single().NodeId);
    }

    [Fact]
    public async Task Probe_LeavesOutFilesTheLedgerMarksSucceeded_ButCountsFailedOnes()
    {
        var done = Write("in/a.csv");
        var failed = Write("in/b.csv");
        var ledger = new JsonLinesProcessedFileLedger(_temp["ledger"]);
        var location = $"{new ConnectPlus.Engine.Connectors.Local.LocalFileLocation(_temp.Path).Display.TrimEnd('/')}/in";
        await ledger.RecordAsync(
        [
            new(Key(location, "a.csv", done), null, "run-1", ProcessedFileOutcome.Succeeded, _time.GetUtcNow()),
            new(Key(location, "b.csv", failed), null, "run-1", ProcessedFileOutcome.Failed, _time.GetUtcNow()),
        ], CancellationToken.None);

        var result = await ProbeAsync(FileSource(new { sourceFolder = "in" }), ledger);

        Assert.Equal(1, result.NewFiles);
    }

    [Fact]
    public async Task Probe_FindsNothing_WhenEveryFileTheLedgerKnowsSucceeded()
    {
        var file = Write("in/a.csv");
        var ledger = new JsonLinesProcessedFileLedger(_temp["ledger"]);
        var location = $"{new ConnectPlus.Engine.Connectors.Local.LocalFileLocation(_temp.Path).Display.TrimEnd('/')}/in";
        await ledger.RecordAsync([new(Key(location, "a.csv", file), null, "run-1", ProcessedFileOutcome.Succeeded, _time.GetUtcNow())], CancellationToken.None);

        var result = await ProbeAsync(FileSource(new { sourceFolder = "in" }), ledger);

        Assert.False(result.HasNewFiles);
    }

    [Fact]
    public async Task Probe_WaitsForFilesYoungerThanTheMinimumAge()
    {
        Write("in/a.csv", modified: _time.GetUtcNow().AddSeconds(-30));

        var young = await ProbeAsync(FileSource(new { sourceFolder = "in", minimumAgeSeconds = 60 }));
        _time.Advance(TimeSpan.FromSeconds(31));
        var ripe = await ProbeAsync(FileSource(new { sourceFolder = "in", minimumAgeSeconds = 60 }));

        Assert.False(young.HasNewFiles);
        Assert.True(ripe.HasNewFiles);
    }

    [Fact]
    public async Task Probe_CountsOnlyCompleteFileSets()
    {
        Write("in/members_20250101.csv");
        Write("in/slab_20250101.csv");
        Write("in/members_20250102.csv");
        var settings = new { sourceFolder = "in", fileSet = new[] { @"members_(\d{8})\.csv", @"slab_(\d{8})\.csv" } };

        var oneSet = await ProbeAsync(FileSource(settings));
        File.Delete(_temp["in/slab_20250101.csv"]);
        var none = await ProbeAsync(FileSource(settings));

        Assert.Equal(2, oneSet.NewFiles);
        Assert.False(none.HasNewFiles);
    }

    [Fact]
    public async Task Probe_LooksInSubfolders_OnlyWhenRecursive()
    {
        Write("in/2025/a.csv");

        var flat = await ProbeAsync(FileSource(new { sourceFolder = "in" }));
        var deep = await ProbeAsync(FileSource(new { sourceFolder = "in", recursive = true }));

        Assert.False(flat.HasNewFiles);
        Assert.True(deep.HasNewFiles);
    }

    [Fact]
    public async Task Probe_ReadsLocalFolderSources_Too()
    {
        Write("drop/a.csv");
        var dataflow = Dataflow("local-folder-source", new { folder = _temp["drop"], processedFolder = "processed" });
        Write("drop/processed/old.csv");

        var result = await ProbeAsync(dataflow);

        Assert.Equal(1, result.NewFiles);
    }

    [Fact]
    public async Task Probe_NamesTheBlockAndSetting_WhenTheFolderIsMissing()
    {
        var ex = await Assert.ThrowsAsync<BlockException>(() => ProbeAsync(FileSource(new { sourceFolder = "nowhere" })));

        Assert.Contains("Block 'block'", ex.Message, StringComparison.Ordinal);
        Assert.Equal("sourceFolder", ex.Setting);
    }

    [Fact]
    public async Task Probe_FindsNewFiles_OnTheSftpServer()
    {
        var root = "probe-" + Guid.NewGuid().ToString("N")[..8];
        await ServerDisk.CreateFolderAsync(root);
        try
        {
            var connection = new ConnectionDefinition
            {
                Name = "sftp",
                Type = "sftp",
                Settings = new JsonObject
                {
                    ["host"] = TestServers.Host,
                    ["port"] = TestServers.SftpPort,
                    ["username"] = TestServers.User,
                    ["password"] = TestServers.Password,
                    ["rootFolder"] = "upload/" + root,
                },
            };
            var dataflow = Dataflow("file-source", new { connection = "sftp", fileNamePattern = @"\.csv$" });
            var services = new HarnessData(_temp["collected"]);
            services.Extra[typeof(IConnectionProvider)] = new InMemoryConnectionProvider([connection]);

            var empty = await _probe.ProbeAsync(dataflow, services, TimeProvider.System, CancellationToken.None);
            await File.WriteAllTextAsync(Path.Combine(TestServers.UploadFolder, root, "bills.csv"), "id\n1\n");
            var arrived = await _probe.ProbeAsync(dataflow, services, TimeProvider.System, CancellationToken.None);

            Assert.False(empty.HasNewFiles);
            Assert.Equal(1, arrived.NewFiles);
        }
        finally
        {
            await ServerDisk.RemoveFolderAsync(root);
        }
    }

    private FileInfo Write(string path, DateTimeOffset? modified = null)
    {
        var full = _temp[path];
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, "id\n1\n");
        File.SetLastWriteTimeUtc(full, (modified ?? _time.GetUtcNow().AddHours(-1)).UtcDateTime);
        return new FileInfo(full);
    }

    private static ProcessedFileKey Key(string location, string path, FileInfo file) =>
        new(location, path, file.Length, new DateTimeOffset(File.GetLastWriteTimeUtc(file.FullName), TimeSpan.Zero));

    private static DataflowDefinition FileSource(object settings)
    {
        var node = JsonSerializer.SerializeToNode(settings, DataflowJson.Options)!.AsObject();
        node["connection"] = SourceFlow.Connection;
        return new DataflowDefinition { Name = "probe", Nodes = [new() { Id = "block", Type = "file-source", Settings = node }] };
    }

    private static DataflowDefinition Dataflow(string type, object settings) => new()
    {
        Name = "probe",
        Nodes = [new() { Id = "block", Type = type, Settings = JsonSerializer.SerializeToNode(settings, DataflowJson.Options)!.AsObject() }],
    };

    private Task<FileArrivalResult> ProbeAsync(DataflowDefinition dataflow, IProcessedFileLedger? ledger = null)
    {
        var services = new HarnessData(_temp["collected"]);
        services.Extra[typeof(IConnectionProvider)] = SourceFlow.LocalConnection(_temp.Path);
        if (ledger is not null) services.Extra[typeof(IProcessedFileLedger)] = ledger;
        return _probe.ProbeAsync(dataflow, services, _time, CancellationToken.None);
    }
}
