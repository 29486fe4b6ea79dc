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
        var gather = TimeSpan.FromMilliseconds(40);
        using var store = new FileCheckpointStore(_folder["checkpoints"], gather);
        var flushes = new System.Collections.Concurrent.ConcurrentQueue<long>();
        store.OnFlush = () => flushes.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
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
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(starts[i - 1], starts[i]) >= gather - TimeSpan.FromMilliseconds(2), $"flushes {i - 1} and {i} were closer than {gather.TotalMilliseconds} ms");
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
