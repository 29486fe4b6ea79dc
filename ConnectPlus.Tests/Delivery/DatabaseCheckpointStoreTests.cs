using ConnectPlus.Engine.Delivery;
using ConnectPlus.Tests.Data;
using ConnectPlus.Web.Features.Runs;

namespace ConnectPlus.Tests.Delivery;

/// <summary>The database store's group commit: what it promises to every caller is in <see cref="CheckpointStoreContractTests"/>.</summary>
public sealed class DatabaseCheckpointStoreTests(SqliteTestDatabase database) : IClassFixture<SqliteTestDatabase>
{
    private readonly string _dataflow = $"Bills → Capillary {Guid.NewGuid():N}";

    private Checkpoint Batch(long batch) => new(_dataflow, "capillary", "bills.csv", batch, "x3-" + batch, 100, "run-1", DateTimeOffset.UnixEpoch.AddDays(batch));

    [Fact]
    public async Task RecordAsync_CommitsTheCheckpointsRecordedDuringACommit_TogetherInTheNext()
    {
        using var store = new DatabaseCheckpointStore(database.Database);
        var sizes = new List<int>();
        using var firstStarted = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        store.OnCommit = size =>
        {
            lock (sizes) sizes.Add(size);
            if (sizes.Count == 1)
            {
                firstStarted.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }
        };

        var first = Task.Run(() => store.RecordAsync(Batch(0), CancellationToken.None));
        Assert.True(firstStarted.Wait(TimeSpan.FromSeconds(30)), "the first commit did not start");
        var rest = Enumerable.Range(1, 20).Select(b => Task.Run(() => store.RecordAsync(Batch(b), CancellationToken.None))).ToList();
        // Every one of them is waiting: none can finish before the commit it joins.
        await Task.Delay(200);
        Assert.All(rest, t => Assert.False(t.IsCompleted));
        release.Set();
        await Task.WhenAll(rest.Append(first));

        Assert.Equal([1, 20], sizes);
        var loaded = await new DatabaseCheckpointStore(database.Database).LoadAsync(_dataflow, "capillary", CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 21).Select(b => (long)b), loaded.Select(c => c.Batch).Order());
        Assert.All(loaded, c => Assert.Equal("x3-" + c.Batch, c.Digest));
    }

    [Fact]
    public async Task RecordAsync_OfAGroupWithABatchAlreadyStored_WritesEachOnItsOwn_TheLatestWinning()
    {
        using var store = new DatabaseCheckpointStore(database.Database);
        await store.RecordAsync(Batch(1) with { Digest = "old" }, CancellationToken.None);
        var sizes = new List<int>();
        using var firstStarted = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        store.OnCommit = size =>
        {
            lock (sizes) sizes.Add(size);
            if (sizes.Count == 1)
            {
                firstStarted.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }
        };
        var first = Task.Run(() => store.RecordAsync(Batch(0), CancellationToken.None));
        Assert.True(firstStarted.Wait(TimeSpan.FromSeconds(30)), "the first commit did not start");
        var group = Enumerable.Range(1, 3).Select(b => Task.Run(() => store.RecordAsync(Batch(b), CancellationToken.None))).ToList();
        await Task.Delay(200);
        release.Set();
        await Task.WhenAll(group.Append(first));

        Assert.Equal([1, 3], sizes);
        var loaded = await store.LoadAsync(_dataflow, "capillary", CancellationToken.None);
        Assert.Equal([0L, 1, 2, 3], loaded.Select(c => c.Batch).Order());
        Assert.Equal("x3-1", Assert.Single(loaded, c => c.Batch == 1).Digest);
    }

    [Fact]
    public async Task RecordAsync_StartsACommitNoSoonerThanTheGatherTimeAfterTheOneBefore()
    {
        using var store = new DatabaseCheckpointStore(database.Database, gather: TimeSpan.FromMilliseconds(80));
        var starts = new List<long>();
        store.OnCommit = _ => starts.Add(System.Diagnostics.Stopwatch.GetTimestamp());

        for (var b = 0; b < 3; b++) await store.RecordAsync(Batch(b), CancellationToken.None);

        Assert.Equal(3, starts.Count);
        for (var i = 1; i < starts.Count; i++)
        {
            var apart = System.Diagnostics.Stopwatch.GetElapsedTime(starts[i - 1], starts[i]);
            Assert.True(apart >= TimeSpan.FromMilliseconds(79), $"commit {i} started {apart.TotalMilliseconds:F1} ms after the one before");
        }
        Assert.Equal(3, (await store.LoadAsync(_dataflow, "capillary", CancellationToken.None)).Count);
    }
}
