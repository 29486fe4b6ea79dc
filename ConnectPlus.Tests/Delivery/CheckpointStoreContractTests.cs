using ConnectPlus.Engine.Delivery;
using ConnectPlus.Tests.Data;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Web.Features.Runs;

namespace ConnectPlus.Tests.Delivery;

public sealed class FileCheckpointStoreContractTests : CheckpointStoreContractTests, IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly List<FileCheckpointStore> _stores = [];

    protected override ICheckpointStore NewStore()
    {
        var store = new FileCheckpointStore(_temp["checkpoints"]);
        _stores.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _stores) store.Dispose();
        _temp.Dispose();
    }
}

public sealed class SqliteCheckpointStoreContractTests(SqliteTestDatabase database) : CheckpointStoreContractTests, IClassFixture<SqliteTestDatabase>
{
    protected override ICheckpointStore NewStore() => new DatabaseCheckpointStore(database.Database);
}

public sealed class PostgreSqlCheckpointStoreContractTests(PostgreSqlTestDatabase database) : CheckpointStoreContractTests, IClassFixture<PostgreSqlTestDatabase>
{
    protected override ICheckpointStore NewStore() => new DatabaseCheckpointStore(database.Database);
}

/// <summary>
/// What every checkpoint store promises (<see cref="ICheckpointStore"/>), run against each one. A new store
/// instance over the same storage stands for the next run, maybe on another node. Each test has a dataflow of its own.
/// </summary>
public abstract class CheckpointStoreContractTests
{
    private static readonly DateTimeOffset At = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567);
    private readonly string _dataflow = $"Bills → Capillary {Guid.NewGuid():N}";

    protected abstract ICheckpointStore NewStore();

    private Checkpoint Batch(long batch, string source = "bills.csv", string node = "capillary", string digest = "d", string run = "run-1") =>
        new(_dataflow, node, source, batch, digest + batch, 100, run, At);

    /// <summary>The last record of each batch, as a sink reads them.</summary>
    private static Dictionary<(string, long), Checkpoint> Latest(IEnumerable<Checkpoint> loaded)
    {
        var latest = new Dictionary<(string, long), Checkpoint>();
        foreach (var c in loaded) latest[(c.Source, c.Batch)] = c;
        return latest;
    }

    [Fact]
    public async Task LoadAsync_ReturnsNothing_BeforeABatchIsAcknowledged()
    {
        Assert.Empty(await NewStore().LoadAsync(_dataflow, "capillary", CancellationToken.None));
    }

    [Fact]
    public async Task RecordAsync_ThenLoadAsync_InAnotherStore_ReturnsTheBatchWithEveryField()
    {
        await NewStore().RecordAsync(Batch(7), CancellationToken.None);

        var loaded = Assert.Single(await NewStore().LoadAsync(_dataflow, "capillary", CancellationToken.None));

        Assert.Equal((_dataflow, "capillary", "bills.csv", 7L, "d7", 100, "run-1"), (loaded.Dataflow, loaded.Node, loaded.Source, loaded.Batch, loaded.Digest, loaded.Items, loaded.RunId));
        Assert.True((loaded.At - At).Duration() < TimeSpan.FromMicroseconds(1), $"{loaded.At:O} is not {At:O}");
    }

    [Fact]
    public async Task LoadAsync_ReturnsOnlyTheBatchesOfThatDataflowAndSink()
    {
        var store = NewStore();
        await store.RecordAsync(Batch(0), CancellationToken.None);
        await store.RecordAsync(Batch(0, node: "other-sink"), CancellationToken.None);
        await store.RecordAsync(Batch(0) with { Dataflow = _dataflow + " (copy)" }, CancellationToken.None);

        var loaded = await NewStore().LoadAsync(_dataflow, "capillary", CancellationToken.None);

        Assert.Equal("capillary", Assert.Single(loaded).Node);
    }

    [Fact]
    public async Task RecordAsync_OfTheSameBatchAgain_LetsTheLatestWin()
    {
        var store = NewStore();
        await store.RecordAsync(Batch(3, digest: "old"), CancellationToken.None);
        await store.RecordAsync(Batch(3, digest: "new", run: "run-2"), CancellationToken.None);

        var latest = Latest(await NewStore().LoadAsync(_dataflow, "capillary", CancellationToken.None));

        Assert.Equal(("new3", "run-2"), (latest[("bills.csv", 3)].Digest, latest[("bills.csv", 3)].RunId));
    }

    [Fact]
    public async Task RecordAsync_FromSeveralStoresAtOnce_KeepsEveryBatch()
    {
        // Several runs (or processes) of one dataflow record into the same place at the same moment.
        var stores = Enumerable.Range(0, 8).Select(_ => NewStore()).ToList();

        await Task.WhenAll(stores.Select((store, s) => Task.Run(async () =>
        {
            for (var b = 0; b < 25; b++) await store.RecordAsync(Batch(s * 100 + b), CancellationToken.None);
        })));

        var kept = Latest(await NewStore().LoadAsync(_dataflow, "capillary", CancellationToken.None)).Keys.Select(k => k.Item2).Order();
        Assert.Equal(Enumerable.Range(0, 8).SelectMany(s => Enumerable.Range(s * 100, 25)).Select(b => (long)b), kept);
    }

    [Fact]
    public async Task ForgetAsync_RemovesTheNamedSourcesOfThatSinkOnly()
    {
        var store = NewStore();
        foreach (var source in new[] { "a.csv", "b.csv", "c.csv" })
            await store.RecordAsync(Batch(0, source), CancellationToken.None);
        await store.RecordAsync(Batch(0, "a.csv", node: "other-sink"), CancellationToken.None);

        await store.ForgetAsync(_dataflow, "capillary", ["a.csv", "c.csv"], CancellationToken.None);

        Assert.Equal(["b.csv"], (await NewStore().LoadAsync(_dataflow, "capillary", CancellationToken.None)).Select(c => c.Source));
        Assert.Single(await NewStore().LoadAsync(_dataflow, "other-sink", CancellationToken.None));
    }

    [Fact]
    public async Task RecordAsync_FromParallelRequests_KeepsEveryBatch_AndOneOfABatchRecordedTwiceAtOnce()
    {
        var store = NewStore();
        var batches = Enumerable.Range(0, 60).Select(i => (long)i).ToList();

        await Task.WhenAll(batches.Select(b => Task.Run(() => store.RecordAsync(Batch(b), CancellationToken.None)))
            .Concat(batches.Take(10).Select(b => Task.Run(() => NewStore().RecordAsync(Batch(b, digest: "again"), CancellationToken.None)))));

        var latest = Latest(await NewStore().LoadAsync(_dataflow, "capillary", CancellationToken.None));
        Assert.Equal(batches, latest.Keys.Select(k => k.Item2).Order());
        Assert.All(latest.Values.Where(c => c.Batch < 10), c => Assert.Contains(c.Digest, new[] { $"d{c.Batch}", $"again{c.Batch}" }));
    }
}
