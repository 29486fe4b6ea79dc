using ConnectPlus.Engine.Delivery;
using ConnectPlus.Tests.Data;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Web.Features.Runs;

namespace ConnectPlus.Tests.Delivery;

public sealed class JsonLinesLedgerContractTests : ProcessedFileLedgerContractTests, IDisposable
{
    private readonly TempFolder _temp = new();

    protected override IProcessedFileLedger NewLedger() => new JsonLinesProcessedFileLedger(_temp["ledger"]);

    public void Dispose() => _temp.Dispose();
}

public sealed class SqliteLedgerContractTests(SqliteTestDatabase database) : ProcessedFileLedgerContractTests, IClassFixture<SqliteTestDatabase>
{
    protected override IProcessedFileLedger NewLedger() => new DatabaseProcessedFileLedger(database.Database);
}

public sealed class PostgreSqlLedgerContractTests(PostgreSqlTestDatabase database) : ProcessedFileLedgerContractTests, IClassFixture<PostgreSqlTestDatabase>
{
    protected override IProcessedFileLedger NewLedger() => new DatabaseProcessedFileLedger(database.Database);
}

/// <summary>
/// What every processed-file ledger promises (<see cref="IProcessedFileLedger"/>), run against each one. A new
/// ledger instance over the same storage stands for another run or another node. Each test reads a location of its own.
/// </summary>
public abstract class ProcessedFileLedgerContractTests
{
    // 100 ns past a whole microsecond: finer than PostgreSQL keeps.
    private static readonly DateTimeOffset Modified = new DateTimeOffset(2025, 1, 2, 3, 4, 5, 123, TimeSpan.Zero).AddTicks(4567);
    private static readonly DateTimeOffset Now = new(2025, 1, 3, 0, 0, 0, TimeSpan.Zero);
    private readonly string _location = $"sftp://brand@files.example.com:22/exports/{Guid.NewGuid():N}";

    protected abstract IProcessedFileLedger NewLedger();

    private ProcessedFileKey Key(string path = "members.csv", long size = 100, DateTimeOffset? modified = null, string? location = null) =>
        new(location ?? _location, path, size, modified ?? Modified);

    private static ProcessedFileRecord Record(ProcessedFileKey key, string run, ProcessedFileOutcome outcome, string? checksum = null) =>
        new(key, checksum, run, outcome, Now);

    [Fact]
    public async Task FindAsync_KnowsNothing_BeforeAnythingIsRecorded()
    {
        var found = await NewLedger().FindAsync([Key()], CancellationToken.None);

        Assert.Empty(found);
    }

    [Fact]
    public async Task FindAsync_ReturnsTheLatestRecordOfEachFileVersion()
    {
        var ledger = NewLedger();
        await ledger.RecordAsync([Record(Key(), "run-1", ProcessedFileOutcome.Processing), Record(Key("slab.csv"), "run-1", ProcessedFileOutcome.Processing)], CancellationToken.None);
        await ledger.RecordAsync([Record(Key(), "run-1", ProcessedFileOutcome.Succeeded, "sha256:ab12"), Record(Key("slab.csv"), "run-1", ProcessedFileOutcome.Failed)], CancellationToken.None);

        var found = await ledger.FindAsync([Key(), Key("slab.csv"), Key("never.csv")], CancellationToken.None);

        Assert.Equal(2, found.Count);
        Assert.Equal(ProcessedFileOutcome.Succeeded, found[Key()].Outcome);
        Assert.Equal("sha256:ab12", found[Key()].Checksum);
        Assert.Equal("run-1", found[Key()].RunId);
        Assert.Equal(ProcessedFileOutcome.Failed, found[Key("slab.csv")].Outcome);
    }

    [Fact]
    public async Task FindAsync_TellsFileVersionsApart_BySizeTimeAndLocation()
    {
        var ledger = NewLedger();
        await ledger.RecordAsync([Record(Key(), "run-1", ProcessedFileOutcome.Succeeded)], CancellationToken.None);

        var found = await ledger.FindAsync(
            [Key(size: 101), Key(modified: Modified.AddSeconds(1)), Key(location: _location + "-other"), Key()], CancellationToken.None);

        Assert.Equal([Key()], found.Keys);
    }

    [Fact]
    public async Task FindAsync_ComparesModifiedTimesAsInstants_AndAnswersWithTheKeyAsked()
    {
        await NewLedger().RecordAsync([Record(Key(), "run-1", ProcessedFileOutcome.Succeeded)], CancellationToken.None);
        var sameInstant = Key(modified: Modified.ToOffset(TimeSpan.FromHours(5.5)));

        var found = await NewLedger().FindAsync([sameInstant], CancellationToken.None);

        Assert.Single(found);
        Assert.Equal(ProcessedFileOutcome.Succeeded, found[sameInstant].Outcome);
    }

    [Fact]
    public async Task RecordAsync_IsSeenByAnotherLedgerOverTheSameStorage()
    {
        await NewLedger().RecordAsync([Record(Key(), "run-1", ProcessedFileOutcome.Processing)], CancellationToken.None);
        await NewLedger().RecordAsync([Record(Key(), "run-2", ProcessedFileOutcome.Succeeded)], CancellationToken.None);

        var found = await NewLedger().FindAsync([Key()], CancellationToken.None);

        Assert.Equal("run-2", found[Key()].RunId);
    }

    [Fact]
    public async Task FindAsync_AnswersForHundredsOfFilesAtOnce()
    {
        var keys = Enumerable.Range(0, 450).Select(i => Key($"2025/{i:D4}.csv", size: i)).ToList();
        await NewLedger().RecordAsync([.. keys.Where((_, i) => i % 3 == 0).Select(k => Record(k, "run-1", ProcessedFileOutcome.Succeeded))], CancellationToken.None);

        var found = await NewLedger().FindAsync(keys, CancellationToken.None);

        Assert.Equal(150, found.Count);
        Assert.All(found.Keys, k => Assert.Equal(0, k.Size % 3));
    }

    [Fact]
    public async Task RecordAsync_FromManyWritersAtOnce_LosesNoRecord()
    {
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var ledger = NewLedger();
            for (var i = 0; i < 10; i++)
                await ledger.RecordAsync([Record(Key($"w{w}-{i}.csv"), $"run-{w}", ProcessedFileOutcome.Succeeded)], CancellationToken.None);
        }));
        await Task.WhenAll(writers);

        var found = await NewLedger().FindAsync([.. Enumerable.Range(0, 80).Select(n => Key($"w{n / 10}-{n % 10}.csv"))], CancellationToken.None);

        Assert.Equal(80, found.Count);
        Assert.All(found, f => Assert.Equal($"run-{f.Key.Path[1]}", f.Value.RunId));
    }
}
