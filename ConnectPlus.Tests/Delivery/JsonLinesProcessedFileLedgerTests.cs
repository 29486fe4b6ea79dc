using ConnectPlus.Engine.Delivery;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Delivery;

public sealed class JsonLinesProcessedFileLedgerTests : IDisposable
{
    private const string Location = "sftp://brand@files.example.com:22/exports/in";
    private static readonly DateTimeOffset Modified = new(2025, 1, 2, 3, 4, 5, 123, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2025, 1, 3, 0, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _temp = new();
    private readonly JsonLinesProcessedFileLedger _ledger;

    public JsonLinesProcessedFileLedgerTests() => _ledger = new JsonLinesProcessedFileLedger(_temp["ledger"]);

    public void Dispose() => _temp.Dispose();

    private static ProcessedFileKey Key(string path = "members.csv", long size = 100, DateTimeOffset? modified = null, string location = Location) =>
        new(location, path, size, modified ?? Modified);

    private static ProcessedFileRecord Record(ProcessedFileKey key, string run, ProcessedFileOutcome outcome, string? checksum = null) =>
        new(key, checksum, run, outcome, Now);

    private Task<IReadOnlyDictionary<ProcessedFileKey, ProcessedFileRecord>> Find(params ProcessedFileKey[] keys) =>
        _ledger.FindAsync(keys, CancellationToken.None);

    private Task Record(params ProcessedFileRecord[] records) => _ledger.RecordAsync(records, CancellationToken.None);

    [Fact]
    public async Task FindAsync_ReturnsTheLatestRecordOfEachFileVersion()
    {
        await Record(Record(Key(), "run-1", ProcessedFileOutcome.Processing), Record(Key("slab.csv"), "run-1", ProcessedFileOutcome.Processing));
        await Record(Record(Key(), "run-1", ProcessedFileOutcome.Succeeded, checksum: "sha256:ab12"), Record(Key("slab.csv"), "run-1", ProcessedFileOutcome.Failed));

        var found = await Find(Key(), Key("slab.csv"), Key("never.csv"));

        Assert.Equal(2, found.Count);
        Assert.Equal(Record(Key(), "run-1", ProcessedFileOutcome.Succeeded, "sha256:ab12"), found[Key()]);
        Assert.Equal(ProcessedFileOutcome.Failed, found[Key("slab.csv")].Outcome);
    }

    [Fact]
    public async Task FindAsync_KnowsNothing_BeforeAnythingIsRecorded()
    {
        Assert.Empty(await Find(Key()));
        Assert.False(Directory.Exists(_temp["ledger"]));
    }

    [Fact]
    public async Task FindAsync_TellsFileVersionsApart_BySizeTimeAndLocation()
    {
        await Record(Record(Key(), "run-1", ProcessedFileOutcome.Succeeded));

        var found = await Find(Key(size: 101), Key(modified: Modified.AddTicks(1)), Key(location: "sftp://brand@files.example.com:22/other"));

        Assert.Empty(found);
    }

    [Fact]
    public async Task FindAsync_ComparesModifiedTimesAsInstants()
    {
        await Record(Record(Key(), "run-1", ProcessedFileOutcome.Succeeded));

        var found = await Find(Key(modified: Modified.ToOffset(TimeSpan.FromHours(5.5))));

        Assert.Equal("run-1", Assert.Single(found).Value.RunId);
    }

    [Fact]
    public async Task RecordAsync_KeepsOneFilePerLocation_NamedByTheHashOfTheLocation()
    {
        await Record(Record(Key(), "run-1", ProcessedFileOutcome.Succeeded), Record(Key(location: "file:///data/in"), "run-1", ProcessedFileOutcome.Succeeded));

        var files = Directory.GetFiles(_temp["ledger"], "*.jsonl");

        Assert.Equal(2, files.Length);
        Assert.Contains(_ledger.FileOf(Location), files);
        Assert.Matches("^[0-9a-f]{32}\\.jsonl$", Path.GetFileName(_ledger.FileOf(Location)));
        Assert.Single(File.ReadAllLines(_ledger.FileOf(Location)));
    }

    [Fact]
    public async Task FindAsync_IgnoresALineCutShortByACrash_AndTheNextRecordStartsOnItsOwnLine()
    {
        await Record(Record(Key(), "run-1", ProcessedFileOutcome.Succeeded));
        await File.AppendAllTextAsync(_ledger.FileOf(Location), "{\"location\":\"sftp://brand@files.exa");

        await Record(Record(Key("slab.csv"), "run-2", ProcessedFileOutcome.Succeeded));
        var found = await Find(Key(), Key("slab.csv"));

        Assert.Equal(["run-1", "run-2"], found.Values.Select(r => r.RunId).Order());
        Assert.Equal(3, File.ReadAllLines(_ledger.FileOf(Location)).Length);
    }

    [Fact]
    public async Task FindAsync_CompactsTheFile_WhenSupersededLinesPileUp()
    {
        var keys = Enumerable.Range(0, 1000).Select(i => Key($"f{i}.csv")).ToList();
        await _ledger.RecordAsync([.. keys.Select(k => Record(k, "run-1", ProcessedFileOutcome.Processing))], CancellationToken.None);
        await _ledger.RecordAsync([.. keys.Select(k => Record(k, "run-1", ProcessedFileOutcome.Succeeded))], CancellationToken.None);
        Assert.Equal(2000, File.ReadAllLines(_ledger.FileOf(Location)).Length);

        var found = await Find([.. keys]);

        Assert.Equal(1000, found.Count);
        Assert.All(found.Values, r => Assert.Equal(ProcessedFileOutcome.Succeeded, r.Outcome));
        Assert.Equal(1000, File.ReadAllLines(_ledger.FileOf(Location)).Length);
        Assert.Equal(1000, (await Find([.. keys])).Count);
    }

    [Fact]
    public async Task FindAsync_LeavesTheFileAsItIs_WhileFewLinesAreSuperseded()
    {
        await Record(Record(Key(), "run-1", ProcessedFileOutcome.Processing));
        await Record(Record(Key(), "run-1", ProcessedFileOutcome.Failed));
        await Record(Record(Key(), "run-2", ProcessedFileOutcome.Succeeded));

        await Find(Key());

        Assert.Equal(3, File.ReadAllLines(_ledger.FileOf(Location)).Length);
    }

    [Fact]
    public async Task RecordAsync_WaitsForAnotherRunHoldingTheLock()
    {
        await Record(Record(Key(), "run-1", ProcessedFileOutcome.Processing));
        var lockFile = Path.ChangeExtension(_ledger.FileOf(Location), ".lock");
        var held = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var recording = Record(Record(Key(), "run-1", ProcessedFileOutcome.Succeeded));
        await Task.Delay(200);
        var finishedWhileLocked = recording.IsCompleted;
        await held.DisposeAsync();
        await recording;

        Assert.False(finishedWhileLocked);
        Assert.Equal(ProcessedFileOutcome.Succeeded, (await Find(Key()))[Key()].Outcome);
    }
}
