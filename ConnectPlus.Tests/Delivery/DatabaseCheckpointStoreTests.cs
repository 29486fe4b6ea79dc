using ConnectPlus.Engine.Delivery;
using ConnectPlus.Tests.Data;
using ConnectPlus.Web.Features.Runs;
using Microsoft.EntityFrameworkCore;

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
        using var hold = new FirstCommitHold(store);

        var first = Task.Run(() => store.RecordAsync(Batch(0), CancellationToken.None));
        hold.WaitUntilStarted();
        var rest = await RecordFromOtherThreadsAsync(store, 1, 20);
        // Every one of them is waiting: none can finish before the commit it joins.
        await Task.Delay(200);
        Assert.All(rest, t => Assert.False(t.IsCompleted));
        hold.Release();
        await Task.WhenAll(rest.Append(first));

        Assert.Equal([1, 20], hold.Sizes);
        var loaded = await new DatabaseCheckpointStore(database.Database).LoadAsync(_dataflow, "capillary", CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 21).Select(b => (long)b), loaded.Select(c => c.Batch).Order());
        Assert.All(loaded, c => Assert.Equal("x3-" + c.Batch, c.Digest));
    }

    [Fact]
    public async Task RecordAsync_OfAGroupWithABatchAlreadyStored_WritesEachOnItsOwn_TheLatestWinning()
    {
        using var store = new DatabaseCheckpointStore(database.Database);
        await store.RecordAsync(Batch(1) with { Digest = "old" }, CancellationToken.None);
        using var hold = new FirstCommitHold(store);
        var first = Task.Run(() => store.RecordAsync(Batch(0), CancellationToken.None));
        hold.WaitUntilStarted();
        var group = await RecordFromOtherThreadsAsync(store, 1, 3);
        hold.Release();
        await Task.WhenAll(group.Append(first));

        Assert.Equal([1, 3], hold.Sizes);
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
            Assert.True(apart >= TimeSpan.FromMilliseconds(80), $"commit {i} started {apart.TotalMilliseconds:F1} ms after the one before");
        }
        Assert.Equal(3, (await store.LoadAsync(_dataflow, "capillary", CancellationToken.None)).Count);
    }

    [Fact]
    public async Task RecordAsync_WritesTheRowSaveChangesWrites_ValueForValue()
    {
        // The store inserts with SQL of its own: its rows must be what EF would have written (converters included).
        var at = new DateTimeOffset(2026, 11, 27, 23, 45, 1, TimeSpan.FromHours(5.5)).AddTicks(1234567);
        var checkpoint = new Checkpoint(_dataflow, "capillary", "bills ‘é’.csv", 7, "x3-7", 100, "run-1", at);
        using (var store = new DatabaseCheckpointStore(database.Database)) await store.RecordAsync(checkpoint, CancellationToken.None);
        var viaEf = _dataflow + " (EF)";
        await using (var db = database.Database.CreateDbContext())
        {
            db.Checkpoints.Add(new ConnectPlus.Web.Data.Checkpoint
            {
                Dataflow = viaEf, NodeId = "capillary", Source = "bills ‘é’.csv", Batch = 7, Digest = "x3-7", Items = 100, RunKey = "run-1",
                Acknowledged = ConnectPlus.Web.Features.Runs.DatabaseProcessedFileLedger.Microseconds(at),
            });
            await db.SaveChangesAsync();
        }

        var stored = await RawRowAsync(_dataflow);
        Assert.Equal(await RawRowAsync(viaEf), stored);
        Assert.Contains("2026-11-27", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordAsync_CommitsAGroupLargerThanOneStatement_Whole()
    {
        using var store = new DatabaseCheckpointStore(database.Database);
        using var hold = new FirstCommitHold(store);
        var first = Task.Run(() => store.RecordAsync(Batch(0), CancellationToken.None));
        hold.WaitUntilStarted();
        var rest = await RecordFromOtherThreadsAsync(store, 1, 450);
        hold.Release();
        await Task.WhenAll(rest.Append(first));

        Assert.Equal([1, 450], hold.Sizes);
        var loaded = await store.LoadAsync(_dataflow, "capillary", CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 451).Select(b => (long)b), loaded.Select(c => c.Batch));
        Assert.All(loaded, c => Assert.Equal(("x3-" + c.Batch, DateTimeOffset.UnixEpoch.AddDays(c.Batch)), (c.Digest, c.At)));
    }

    /// <summary>
    /// Records the batches from thread-pool threads while the first commit is held, and returns once every one is
    /// pending (<see cref="DatabaseCheckpointStore.RecordAsync"/> adds it before it first waits): a fixed sleep
    /// instead left a group short on a loaded machine, where some of the threads had not run yet.
    /// </summary>
    private async Task<List<Task>> RecordFromOtherThreadsAsync(DatabaseCheckpointStore store, int from, int count)
    {
        var pending = 0;
        var recording = Enumerable.Range(from, count).Select(b => Task.Run(() =>
        {
            var recorded = store.RecordAsync(Batch(b), CancellationToken.None);
            Interlocked.Increment(ref pending);
            return recorded;
        })).ToList();
        // Generous for a busy machine; it ends as soon as the last one is pending.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref pending) < count && waited.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(10);
        Assert.Equal(count, Volatile.Read(ref pending));
        return recording;
    }

    /// <summary>Every stored column of the dataflow's one checkpoint but its id and dataflow, as the database holds it.</summary>
    private async Task<string> RawRowAsync(string dataflow)
    {
        await using var db = database.Database.CreateDbContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT NodeId, Source, Batch, Digest, Items, RunKey, Acknowledged, typeof(Acknowledged) FROM Checkpoints WHERE Dataflow = $d";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "$d";
        parameter.Value = dataflow;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no checkpoint of {dataflow}");
        var values = Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={reader.GetValue(i)} ({reader.GetFieldType(i).Name})");
        var row = string.Join("; ", values);
        Assert.False(await reader.ReadAsync(), $"more than one checkpoint of {dataflow}");
        return row;
    }

    /// <summary>Holds the store's first commit until released, so that what is recorded meanwhile piles up; notes each group's size.</summary>
    private sealed class FirstCommitHold : IDisposable
    {
        private readonly ManualResetEventSlim _started = new();
        private readonly ManualResetEventSlim _release = new();
        private readonly List<int> _sizes = [];

        public FirstCommitHold(DatabaseCheckpointStore store) => store.OnCommit = size =>
        {
            bool first;
            lock (_sizes)
            {
                _sizes.Add(size);
                first = _sizes.Count == 1;
            }
            if (!first) return;
            _started.Set();
            _release.Wait(TimeSpan.FromSeconds(30));
        };

        public List<int> Sizes
        {
            get
            {
                lock (_sizes) return [.. _sizes];
            }
        }

        public void WaitUntilStarted() => Assert.True(_started.Wait(TimeSpan.FromSeconds(30)), "the first commit did not start");

        public void Release() => _release.Set();

        public void Dispose()
        {
            _release.Set();
            _started.Dispose();
            _release.Dispose();
        }
    }
}
