using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;
using static ConnectPlus.Tests.Blocks.Api.ApiSinkTestData;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>Delivery guarantees: checkpoints, resuming, and duplicate answers to re-sent batches.</summary>
public sealed class ApiCheckpointTests
{
    private const string Dataflow = "harness capillary-api";
    private static readonly object Settings = new { connection = "brand", batchSize = 2, parallelRequests = 1 };

    [Fact]
    public async Task Run_RecordsEachAcknowledgedBatch_AndForgetsTheFileOnceTheRunSucceeded()
    {
        var store = new RecordingStore();

        var result = await Sink(Settings, new FakeApi(), Bills(5), checkpoints: store).RunAsync();

        result.AssertSucceeded();
        Assert.Equal([0L, 1, 2], store.Recorded.Select(c => c.Batch));
        Assert.All(store.Recorded, c => Assert.Equal((Dataflow, "block", "bills.csv", result.Run.RunId), (c.Dataflow, c.Node, c.Source, c.RunId)));
        Assert.Equal([2, 2, 1], store.Recorded.Select(c => c.Items));
        Assert.Equal(["bills.csv"], store.Forgotten);
        Assert.Empty(store.All);
    }

    [Fact]
    public async Task Run_KeepsTheCheckpoints_WhenTheRunFails()
    {
        var store = new RecordingStore();
        var api = new FakeApi { Answer = (r, n) => n < 2 ? FakeApi.V2AllSucceeded(r) : FakeApi.Gateway(401) };

        var result = await Sink(Settings, api, Bills(6), checkpoints: store).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Equal([0L, 1], store.All.Select(c => c.Batch));
        Assert.Empty(store.Forgotten);
        Assert.Contains(Log(result.Observer), m => m.Contains("checkpoints of bills.csv are kept", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_SkipsBatchesAnEarlierRunAcknowledged_AndSaysSo()
    {
        var store = new RecordingStore();
        var first = await Sink(Settings, new FakeApi { Answer = (r, n) => n < 2 ? FakeApi.V2AllSucceeded(r) : FakeApi.Gateway(401) }, Bills(5), checkpoints: store).RunAsync();
        Assert.Equal(RunOutcome.Failed, first.Run.Outcome);
        var api = new FakeApi();

        var second = await Sink(Settings, api, Bills(5), checkpoints: store).RunAsync();

        second.AssertSucceeded();
        Assert.Equal(["b-5"], api.ApiRequests.SelectMany(r => r.Json.AsArray().Select(b => b!["billNumber"]!.GetValue<string>())));
        Assert.Contains(Log(second.Observer), m => m == $"bills.csv: skipped 2 batches (4 items) already delivered by run {first.Run.RunId}.");
        Assert.Equal(["b-5", "b-5"], second.Records("succeeded").Column("bill_number"));
        Assert.Empty(store.All);
    }

    [Fact]
    public async Task Run_SendsABatchAgain_WhenItsItemsDifferFromTheOnesAcknowledged()
    {
        var store = new MemoryCheckpointStore();
        store.Add(new Checkpoint(Dataflow, "block", "bills.csv", 0, "not-the-digest", 2, "old-run", DateTimeOffset.UnixEpoch));
        var api = new FakeApi();

        var result = await Sink(Settings, api, Bills(2), checkpoints: store).RunAsync();

        result.AssertSucceeded();
        Assert.Single(api.ApiRequests);
        Assert.DoesNotContain(Log(result.Observer), m => m.Contains("already delivered by run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_CountsDuplicateAnswers_AsAlreadyDelivered_ForAFileAnEarlierRunDidNotFinish()
    {
        var store = new MemoryCheckpointStore();
        store.Add(new Checkpoint(Dataflow, "block", "bills.csv", 5, "some-later-batch", 2, "run-x", DateTimeOffset.UnixEpoch));
        var api = new FakeApi { Answer = (r, _) => FakeApi.V2(r, 604, null) };

        var result = await Sink(Settings, api, Bills(2), checkpoints: store).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(RunOutcome.Succeeded, result.Run.Outcome);
        var rows = result.Records("succeeded").Maps;
        Assert.Equal(4, rows.Count);
        Assert.Equal(("already_delivered", "604", "error 604 for b-1"), (rows[0]["api_status"], rows[0]["api_code"], rows[0]["api_message"]));
        Assert.Equal("success", rows[2]["api_status"]);
        Assert.Contains(Log(result.Observer), m => m.Contains("batch 1 of bills.csv: 1 items already delivered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_CountsDuplicateAnswers_AsAlreadyDelivered_WhenABatchIsSentAgainAfterALostAnswer()
    {
        var api = new FakeApi { Answer = (r, n) => n == 0 ? FakeApi.Gateway(504) : FakeApi.V2(r, 604, 604) };

        var result = await Sink(Settings, api, Bills(2), checkpoints: new MemoryCheckpointStore()).RunAsync();

        Assert.Equal(RunOutcome.Succeeded, result.Run.Outcome);
        Assert.All(result.Records("succeeded").Column("api_status"), s => Assert.Equal("already_delivered", s));
        Assert.Empty(result.Records("rejected").Rows);
    }

    [Fact]
    public async Task Run_RejectsADuplicate_WhenTheBatchWasNeverSentBefore()
    {
        var api = new FakeApi { Answer = (r, _) => FakeApi.V2(r, 604, null) };

        var result = await Sink(Settings, api, Bills(2), checkpoints: new MemoryCheckpointStore()).RunAsync();

        Assert.Equal(RunOutcome.SucceededWithErrors, result.Run.Outcome);
        Assert.Equal(["604", "604"], result.Records("rejected").Column("api_code"));
    }

    [Fact]
    public void BatchCutter_CutsTheSameBatchesForTheSameItems_AndStartsAgainForEachFile()
    {
        static List<ApiBatch> Cut(IEnumerable<Record> records)
        {
            var cutter = new ApiDelivery.BatchCutter(2);
            var batches = new List<ApiBatch>();
            foreach (var record in records)
            {
                var full = cutter.Add(new ApiItem(PayloadRecord.Schema, record, System.Text.Encoding.UTF8.GetBytes(record[1]!)), out var previous);
                if (previous is not null) batches.Add(previous);
                if (full is not null) batches.Add(full);
            }
            batches.AddRange(cutter.Flush());
            return batches;
        }

        List<Record> input = [.. Bills(3, file: "a.csv"), .. Bills(3, file: "b.csv", first: 10)];
        var once = Cut(input);
        var again = Cut(input);
        var changed = Cut([.. Bills(3, file: "a.csv"), .. Bills(3, file: "b.csv", first: 11)]);

        Assert.Equal([("a.csv", 0L, 2), ("a.csv", 1L, 1), ("b.csv", 0L, 2), ("b.csv", 1L, 1)], once.Select(b => (b.Source, b.Index, b.Items.Count)));
        Assert.Equal(once.Select(b => b.Digest), again.Select(b => b.Digest));
        Assert.Equal(once.Take(2).Select(b => b.Digest), changed.Take(2).Select(b => b.Digest));
        Assert.NotEqual(once[2].Digest, changed[2].Digest);
        Assert.NotEqual(once[3].Digest, changed[3].Digest);
    }

    [Fact]
    public async Task Run_SkipsBatchesAcknowledgedWithOldFormDigests_AndRecordsTheRestInTheNewForm()
    {
        // Checkpoints as a version before the XXH3 digests wrote them: bills.csv's batches 0 and 1 (b-1…b-4).
        var store = new RecordingStore();
        var old = OldDigests([Bills(5).Take(4).Select(Json).ToList()], 2);
        for (var i = 0; i < 2; i++) store.Add(new Checkpoint(Dataflow, "block", "bills.csv", i, old[i], 2, "old-run", DateTimeOffset.UnixEpoch));
        var api = new FakeApi();

        var result = await Sink(Settings, api, Bills(5), checkpoints: store).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["b-5"], SentBills(api));
        Assert.Contains(Log(result.Observer), m => m == "bills.csv: skipped 2 batches (4 items) already delivered by run old-run.");
        Assert.Equal(["b-5", "b-5"], result.Records("succeeded").Column("bill_number"));
        var recorded = Assert.Single(store.Recorded);
        Assert.Equal(2L, recorded.Batch);
        Assert.Matches("^x3-[0-9a-f]{32}$", recorded.Digest);
    }

    [Fact]
    public async Task Run_SendsABatchAgain_WhenItsOldFormDigestNamesOtherItems()
    {
        // Batch 0 of another bills.csv (b-7, b-8) was acknowledged by an older version.
        var store = new MemoryCheckpointStore();
        store.Add(new Checkpoint(Dataflow, "block", "bills.csv", 0, OldDigests([Bills(2, first: 7).Select(Json).ToList()], 2)[0], 2, "old-run", DateTimeOffset.UnixEpoch));
        var api = new FakeApi();

        var result = await Sink(Settings, api, Bills(3), checkpoints: store).RunAsync();

        result.AssertSucceeded();
        Assert.Equal(["b-1", "b-2", "b-3"], SentBills(api));
        Assert.DoesNotContain(Log(result.Observer), m => m.Contains("already delivered by run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_SkipsBatchesAcknowledgedInBothForms_WhenANewVersionResumedAnOldOnesFileAndDiedToo()
    {
        // An older version delivered batch 0 (b-1, b-2) and died; this version resumed, delivered batch 1, and died.
        var store = new RecordingStore();
        store.Add(new Checkpoint(Dataflow, "block", "bills.csv", 0, OldDigests([Bills(2).Select(Json).ToList()], 2)[0], 2, "old-run", DateTimeOffset.UnixEpoch));
        var dying = new FakeApi { Answer = (r, n) => n < 1 ? FakeApi.V2AllSucceeded(r) : FakeApi.Gateway(401) };
        var second = await Sink(Settings, dying, Bills(7), checkpoints: store).RunAsync();
        Assert.Equal(RunOutcome.Failed, second.Run.Outcome);
        Assert.Equal(["b-3", "b-4", "b-5", "b-6"], SentBills(dying).Distinct()); // batch 2 is tried again after the 401
        Assert.Equal([(0L, false), (1L, true)], store.All.OrderBy(c => c.Batch).Select(c => (c.Batch, c.Digest.StartsWith("x3-", StringComparison.Ordinal))));
        var api = new FakeApi();

        var third = await Sink(Settings, api, Bills(7), checkpoints: store).RunAsync();

        third.AssertSucceeded();
        Assert.Equal(["b-5", "b-6", "b-7"], SentBills(api));
        Assert.Contains(Log(third.Observer), m => m == $"bills.csv: skipped 2 batches (4 items) already delivered by run {second.Run.RunId}, old-run.");
        Assert.Empty(store.All);
    }

    [Fact]
    public void BatchCutter_GivesNewFormDigests_ThatChangeWithAnyByteOrItemBoundary_AndChainTheFilesEarlierBatches()
    {
        List<byte[]> items = [.. Enumerable.Range(0, 6).Select(i => System.Text.Encoding.UTF8.GetBytes($$"""{"bill":"b-{{i}}","n":{{i * 7}}}"""))];
        var digests = Digests(Cut(items, 2));

        Assert.Equal(3, digests.Count);
        Assert.All(digests, d => Assert.Matches("^x3-[0-9a-f]{32}$", d));
        Assert.Equal(3, digests.Distinct().Count());
        // Any byte changed: its batch's digest and every later one's change, earlier ones stay.
        for (var item = 0; item < items.Count; item++)
        {
            for (var at = 0; at < items[item].Length; at++)
            {
                var changed = items.Select(b => (byte[])b.Clone()).ToList();
                changed[item][at] ^= 0x20;
                var again = Digests(Cut(changed, 2));
                for (var batch = 0; batch < 3; batch++)
                {
                    if (batch < item / 2) Assert.Equal(digests[batch], again[batch]);
                    else Assert.NotEqual(digests[batch], again[batch]);
                }
            }
        }
        // The same bytes cut into other items (a byte moves from an item to the next): another digest.
        var moved = items.Select(b => (byte[])b.Clone()).ToList();
        moved[1] = [.. items[0][^1..], .. items[1]];
        moved[0] = items[0][..^1];
        Assert.NotEqual(digests[0], Digests(Cut(moved, 2))[0]);
        // Batches in another order: a batch's digest depends on the ones before it, not only its items.
        List<byte[]> reordered = [items[2], items[3], items[0], items[1], items[4], items[5]];
        var swapped = Digests(Cut(reordered, 2));
        Assert.NotEqual(digests[1], swapped[0]);
        Assert.NotEqual(digests[0], swapped[1]);
        Assert.NotEqual(digests[2], swapped[2]);
    }

    [Fact]
    public void BatchCutter_ComputesTheOldSha256Chain_OnlyForFilesWithOldFormCheckpoints_AsTheOlderVersionsDid()
    {
        var random = new Random(20261201);
        for (var round = 0; round < 50; round++)
        {
            var size = random.Next(1, 5);
            var files = Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => Enumerable.Range(0, random.Next(1, 12)).Select(_ => RandomBytes(random)).ToList()).ToList();

            var batches = Cut(files, size, legacy: new HashSet<string>(["f0.csv"], StringComparer.Ordinal));

            var expected = OldDigests([files[0]], size);
            Assert.Equal(expected, batches.Where(b => b.Source == "f0.csv").Select(b => b.LegacyDigest));
            Assert.All(batches.Where(b => b.Source != "f0.csv"), b => Assert.Null(b.LegacyDigest));
            Assert.All(batches, b => Assert.Matches("^x3-[0-9a-f]{32}$", b.Digest));
            Assert.All(batches, b => Assert.True(b.Matches(b.Digest)));
            Assert.All(expected, d => Assert.True(ApiDelivery.BatchCutter.IsLegacyDigest(d)));
            // The new digests are the same whether the old chain is computed or not.
            Assert.Equal(Digests(Cut(files, size)), Digests(batches));
        }
        Assert.False(ApiDelivery.BatchCutter.IsLegacyDigest("x3-0123456789abcdef0123456789abcdef"));
        Assert.False(ApiDelivery.BatchCutter.IsLegacyDigest("0123456789ABCDEF0123456789abcdef"));
        Assert.False(ApiDelivery.BatchCutter.IsLegacyDigest("not-the-digest"));
    }

    [Fact]
    public void BatchCutter_KeepsEachBatchsItems_AndDigests_WhenFilesEndInPartBatches()
    {
        var random = new Random(20261128);
        for (var round = 0; round < 200; round++)
        {
            var size = random.Next(1, 6);
            var files = Enumerable.Range(0, random.Next(1, 5))
                .Select(_ => Enumerable.Range(0, random.Next(1, 14)).Select(_ => RandomBytes(random)).ToList()).ToList();

            var batches = Cut(files, size);

            // Every batch holds its own items (a later batch does not overwrite an earlier one's), in order.
            var expected = files.SelectMany((file, f) => file.Chunk(size).Select((chunk, i) => (Source: $"f{f}.csv", Index: (long)i, Items: chunk))).ToList();
            Assert.Equal(expected.Select(e => (e.Source, e.Index)), batches.Select(b => (b.Source, b.Index)));
            for (var b = 0; b < batches.Count; b++)
            {
                Assert.Equal(expected[b].Items.Length, batches[b].Items.Count);
                for (var i = 0; i < expected[b].Items.Length; i++) Assert.Same(expected[b].Items[i], batches[b].Items[i].Json);
            }
            Assert.Equal(NewDigests(files, size), Digests(batches));
        }
    }

    /// <summary>The current digests computed here on their own: XXH3-128 of the previous batch's digest (none for a file's first), each item's length and JSON.</summary>
    private static List<string> NewDigests(List<List<byte[]>> files, int size)
    {
        var digests = new List<string>();
        foreach (var file in files)
        {
            byte[]? chain = null;
            foreach (var batch in file.Chunk(size))
            {
                using var data = new MemoryStream();
                if (chain is not null) data.Write(chain);
                var length = new byte[4];
                foreach (var json in batch)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, json.Length);
                    data.Write(length);
                    data.Write(json);
                }
                chain = System.IO.Hashing.XxHash128.Hash(data.ToArray());
                digests.Add("x3-" + Convert.ToHexStringLower(chain));
            }
        }
        return digests;
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Json(Record bill) => System.Text.Encoding.UTF8.GetBytes(bill[1]!);

    private static List<string> SentBills(FakeApi api) =>
        [.. api.ApiRequests.SelectMany(r => r.Json.AsArray().Select(b => b!["billNumber"]!.GetValue<string>()))];

    private static List<string> Digests(IEnumerable<ApiBatch> batches) => [.. batches.Select(b => b.Digest)];

    private static List<ApiBatch> Cut(List<byte[]> items, int size) => Cut([items], size);

    /// <summary>Cuts files f0.csv, f1.csv… of the given items' JSON.</summary>
    private static List<ApiBatch> Cut(List<List<byte[]>> files, int size, IReadOnlySet<string>? legacy = null)
    {
        var cutter = new ApiDelivery.BatchCutter(size, legacy);
        var batches = new List<ApiBatch>();
        for (var f = 0; f < files.Count; f++)
        {
            foreach (var json in files[f])
            {
                var full = cutter.Add(new ApiItem(PayloadRecord.Schema, new Record(["k", "{}", ""], new SourceRef($"f{f}.csv", 2)), json), out var previous);
                if (previous is not null) batches.Add(previous);
                if (full is not null) batches.Add(full);
            }
        }
        batches.AddRange(cutter.Flush());
        return batches;
    }

    /// <summary>
    /// The digests versions before the XXH3 digests gave a file's batches, computed here on their own: per
    /// batch, SHA-256 of the previous batch's full hash (none for the first), then each item's length
    /// (4 bytes, little-endian) and JSON; its first 16 bytes as lowercase hex.
    /// </summary>
    private static List<string> OldDigests(List<List<byte[]>> files, int size)
    {
        var digests = new List<string>();
        foreach (var file in files)
        {
            var chain = Array.Empty<byte>();
            foreach (var batch in file.Chunk(size))
            {
                using var data = new MemoryStream();
                data.Write(chain);
                var length = new byte[4];
                foreach (var json in batch)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, json.Length);
                    data.Write(length);
                    data.Write(json);
                }
                chain = System.Security.Cryptography.SHA256.HashData(data.ToArray());
                digests.Add(Convert.ToHexStringLower(chain, 0, 16));
            }
        }
        return digests;
    }

    [Fact]
    public void BatchCutter_WithOneItemPerBatch_GivesEveryItemItsOwnBatch_AcrossFiles()
    {
        var cutter = new ApiDelivery.BatchCutter(1);
        var batches = new List<ApiBatch>();
        foreach (var record in (List<Record>)[.. Bills(2, file: "a.csv"), .. Bills(2, file: "b.csv")])
        {
            var full = cutter.Add(new ApiItem(PayloadRecord.Schema, record, [1]), out var previous);
            if (previous is not null) batches.Add(previous);
            if (full is not null) batches.Add(full);
        }
        batches.AddRange(cutter.Flush());

        Assert.Equal([("a.csv", 0L), ("a.csv", 1L), ("b.csv", 0L), ("b.csv", 1L)], batches.Select(b => (b.Source, b.Index)));
    }
}

public sealed class FileCheckpointStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Checkpoint Point(string source, long batch, string node = "sink") =>
        new("Daily bills", node, source, batch, $"d{batch}", 100, "run-1", new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task RecordThenLoad_GivesTheNodesCheckpointsBack_FromOneFilePerDataflow()
    {
        using var store = new FileCheckpointStore(_folder["checkpoints"]);
        await store.RecordAsync(Point("a.csv", 0), default);
        await store.RecordAsync(Point("a.csv", 1), default);
        await store.RecordAsync(Point("a.csv", 0, node: "other"), default);

        using var reopened = new FileCheckpointStore(_folder["checkpoints"]);
        var loaded = await reopened.LoadAsync("Daily bills", "sink", default);

        Assert.Equal([Point("a.csv", 0), Point("a.csv", 1)], loaded);
        Assert.Equal(3, File.ReadAllLines(reopened.PathFor("Daily bills")).Length);
        Assert.Matches(@"Daily_bills-[0-9a-f]{8}\.jsonl$", reopened.PathFor("Daily bills"));
    }

    [Fact]
    public async Task RecordAsync_KeepsEveryCheckpoint_WhenManyAreRecordedAtOnce()
    {
        using var store = new FileCheckpointStore(_folder["checkpoints"]);

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => store.RecordAsync(Point("a.csv", i), default))));
        var loaded = await store.LoadAsync("Daily bills", "sink", default);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), loaded.Select(c => c.Batch).Order());
    }

    [Fact]
    public async Task RecordAsync_SharesFlushes_SpacingThemByTheGatherTime_AndEachCompletesOnlyOnceItsLineIsInTheFile()
    {
        // Well above an fsync on a busy disk, so that the four streams meet in each flush (at most 20 below): a flush
        // outlasting the gather leaves the others no time to join the next (at 40 ms, 15 of 20 under CPU and disk load).
        var gather = TimeSpan.FromMilliseconds(100);
        using var store = new FileCheckpointStore(_folder["checkpoints"], gather);
        var flushes = new System.Collections.Concurrent.ConcurrentQueue<long>();
        store.OnFlush = _ => flushes.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
        var path = store.PathFor("Daily bills");

        // 4 requests recording one batch after another, as an API sink's requests do.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(stream => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                var batch = stream * 100 + i;
                await store.RecordAsync(Point("a.csv", batch), default);
                Assert.Contains($"\"batch\":{batch},", await File.ReadAllTextAsync(path));
            }
        })));

        var loaded = await store.LoadAsync("Daily bills", "sink", default);
        Assert.Equal(40, loaded.Count);
        var starts = flushes.ToArray();
        Assert.InRange(starts.Length, 1, 20);
        for (var i = 1; i < starts.Length; i++)
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(starts[i - 1], starts[i]) >= gather, $"flushes {i - 1} and {i} were closer than {gather.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Load_IgnoresALineCutShortByACrash()
    {
        using var store = new FileCheckpointStore(_folder["checkpoints"]);
        await store.RecordAsync(Point("a.csv", 0), default);
        await File.AppendAllTextAsync(store.PathFor("Daily bills"), """{"dataflow":"Daily bills","node":"sink","sour""");

        var loaded = await store.LoadAsync("Daily bills", "sink", default);

        Assert.Equal([Point("a.csv", 0)], loaded);
    }

    [Fact]
    public async Task Forget_RemovesTheFilesLines_AndTheFileWhenNothingIsLeft()
    {
        using var store = new FileCheckpointStore(_folder["checkpoints"]);
        await store.RecordAsync(Point("a.csv", 0), default);
        await store.RecordAsync(Point("b.csv", 0), default);

        await store.ForgetAsync("Daily bills", "sink", ["a.csv"], default);
        var left = await store.LoadAsync("Daily bills", "sink", default);
        await store.ForgetAsync("Daily bills", "sink", ["b.csv"], default);

        Assert.Equal([Point("b.csv", 0)], left);
        Assert.False(File.Exists(store.PathFor("Daily bills")));
    }

    [Theory]
    [InlineData("bills", "bills")]
    [InlineData("", "dataflow")]
    public void SafeName_KeepsPlainNames(string name, string expected) => Assert.Equal(expected, FileCheckpointStore.SafeName(name));

    [Fact]
    public void SafeName_TellsApartNamesThatLookAlikeOnceCleaned() =>
        Assert.NotEqual(FileCheckpointStore.SafeName("a b"), FileCheckpointStore.SafeName("a/b"));
}
