using ConnectPlus.Engine.Blocks.Join;
using ConnectPlus.Engine.Data;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Join;

public sealed class PackedRowTableTests
{
    [Fact]
    public void Decode_GivesBackEveryValue_NullEmptyLongAndNonAscii()
    {
        var longValue = new string('x', 300) + "é";
        string?[] row = [null, "", longValue, "日本語 ✓", "plain"];
        var table = new PackedRowTable(5);
        var encoder = new JoinKeyEncoder([4], trim: false, ignoreCase: false);
        encoder.Encode(row);

        table.Add(encoder.Key, matchable: true, row, new SourceRef("a.csv", 70_000));
        table.BuildIndex();

        var decoded = new string?[5];
        table.Decode(0, [0, 1, 2, 3, 4], decoded);
        Assert.Equal(row, decoded);
        Assert.Equal(longValue, table.Value(0, 2));
        Assert.Null(table.Value(0, 0));
        Assert.Equal(new SourceRef("a.csv", 70_000), table.Source(0));
    }

    [Fact]
    public void Add_FillsMissingValuesWithNull_AndDecodeSkipsColumnsMappedAway()
    {
        var table = new PackedRowTable(3);
        table.Add([], matchable: false, ["a"], SourceRef.None);

        var decoded = new string?[] { "keep", "keep" };
        table.Decode(0, [1, -1, 0], decoded);

        Assert.Equal(new string?[] { null, "a" }, decoded);
        Assert.Equal(SourceRef.None, table.Source(0));
        Assert.False(table.TryGetKey(0, out _));
    }

    [Fact]
    public void Find_ChainsDuplicatesInInputOrder_AcrossManyChunks()
    {
        var table = new PackedRowTable(2);
        var encoder = new JoinKeyEncoder([0], trim: false, ignoreCase: false);
        var filler = new string('v', 200);
        for (var i = 0; i < 30_000; i++)
        {
            string?[] row = [$"k{i % 10_000}", $"{i}{filler}"];
            encoder.Encode(row);
            table.Add(encoder.Key, matchable: true, row, new SourceRef("f.csv", i));
        }
        table.BuildIndex();

        Assert.True(table.MemoryBytes > 5 << 20, "the rows should span several 1 MB chunks");
        encoder.Encode(["k42"]);
        var rows = new List<long>();
        for (var r = table.Find(encoder.Key, PackedRowTable.Hash(encoder.Key)); r >= 0; r = table.NextDuplicate(r))
            rows.Add(table.Source(r).Line);
        Assert.Equal([42L, 10_042L, 20_042L], rows);
        encoder.Encode(["k10000"]);
        Assert.Equal(-1, table.Find(encoder.Key, PackedRowTable.Hash(encoder.Key)));
    }

    [Fact]
    public void Add_TakesARowLargerThanAChunk()
    {
        var huge = new string('h', 2_000_000);
        var table = new PackedRowTable(2);
        table.Add([], matchable: false, ["small", "x"], SourceRef.None);
        table.Add([], matchable: false, ["big", huge], SourceRef.None);
        table.Add([], matchable: false, ["after", "y"], SourceRef.None);

        Assert.Equal(huge, table.Value(1, 1));
        Assert.Equal("after", table.Value(2, 0));
        Assert.Equal("x", table.Value(0, 1));
    }

    [Fact]
    public void Decode_GivesRepeatedValuesBackAsOneString_AndDistinctValuesAsText()
    {
        var table = new PackedRowTable(3);
        var tiers = new[] { "BASE", "SILVER", "GOLD" };
        for (var i = 0; i < 5_000; i++)
            table.Add([], matchable: false, [new string(tiers[i % 3]), $"id-{i}", i % 2 == 0 ? "" : null], new SourceRef("f.csv", i));

        var first = new string?[3];
        var later = new string?[3];
        table.Decode(0, [0, 1, 2], first);
        table.Decode(4_996, [0, 1, 2], later);

        Assert.Equal(("BASE", "id-0", ""), (first[0], first[1], first[2]));
        Assert.Equal(("SILVER", "id-4996", ""), (later[0], later[1], later[2]));
        Assert.Same(first[0], table.Value(3, 0));
        Assert.Same(later[0], table.Value(1, 0));
        Assert.Equal("id-4999", table.Value(4_999, 1));
        Assert.Null(table.Value(4_999, 2));
    }

    [Fact]
    public void RepeatedValues_StopsNumbering_WhenMostValuesOfAStretchAreNew()
    {
        var distinct = new RepeatedValues();
        var repeating = new RepeatedValues();
        for (var i = 0; i < 1_100; i++)
        {
            distinct.TryNumber($"v{i}", out _);
            repeating.TryNumber($"v{i % 10}", out _);
        }

        Assert.False(distinct.Active);
        Assert.False(distinct.TryNumber("v1", out _));
        Assert.True(repeating.Active);
        Assert.True(repeating.TryNumber("v1", out var number));
        Assert.Equal("v1", repeating[number]);
    }

    [Fact]
    public void RepeatedValues_KeepsLongValuesAndValuesPastTheLimit_AsText()
    {
        var values = new RepeatedValues();
        Assert.False(values.TryNumber(new string('x', RepeatedValues.MaxLength + 1), out _));
        for (var i = 0; i < RepeatedValues.MaxValues; i++)
        {
            Assert.True(values.TryNumber($"v{i}", out _));
            Assert.True(values.TryNumber($"v{i}", out _));
        }

        Assert.False(values.TryNumber("one more", out _));
        Assert.True(values.TryNumber("v0", out var number));
        Assert.Equal(0, number);
    }

    [Fact]
    public void Decode_ReadsValuesNumberedBeforeAColumnStoppedNumbering()
    {
        var table = new PackedRowTable(1);
        for (var i = 0; i < 3_000; i++) table.Add([], matchable: false, [i < 100 ? "same" : $"new-{i}"], SourceRef.None);

        Assert.Equal("same", table.Value(0, 0));
        Assert.Equal("same", table.Value(99, 0));
        Assert.Equal("new-2999", table.Value(2_999, 0));
    }

    [Fact]
    public void StreamedKeys_GivesEachRowTheKeyHashAndEmptinessTheEncoderGives()
    {
        var schema = new RecordSchema(["id", "name"]);
        var shape = new JoinInputShape(0, ["id"]);
        var longKey = new string('k', 20_000);
        var rows = Enumerable.Range(0, 3_000)
            .Select(i => new Record([i % 7 == 0 ? "" : i == 5 ? longKey : $"id{i}", "x"], SourceRef.None))
            .ToArray();
        shape.Accept(schema, null!);
        var keys = new StreamedKeys(new JoinKeyEncoder([0], trim: false, ignoreCase: false));

        keys.Encode(rows, shape);

        var encoder = new JoinKeyEncoder([0], trim: false, ignoreCase: false);
        Assert.Equal(3_000, keys.Count);
        foreach (var r in new[] { 0, 1, 5, 7, 1_500, 2_999 })
        {
            var empty = encoder.Encode(rows[r].Values);
            Assert.Equal(encoder.Key.ToArray(), keys.Key(r).ToArray());
            Assert.Equal(PackedRowTable.Hash(encoder.Key), keys.Hash(r));
            Assert.Equal(empty, keys.IsEmpty(r));
        }
        Assert.True(keys.IsEmpty(7));
        Assert.False(keys.IsEmpty(5));
    }

    [Fact]
    public void Prefetch_LeavesTheTableAsItWas_ForAnyHashAndStep()
    {
        var table = new PackedRowTable(1);
        var encoder = new JoinKeyEncoder([0], trim: false, ignoreCase: false);
        table.Prefetch(12345, 2);
        for (var i = 0; i < 100; i++)
        {
            encoder.Encode([$"k{i}"]);
            table.Add(encoder.Key, matchable: true, [$"k{i}"], SourceRef.None);
        }
        table.BuildIndex();

        for (var hash = -50; hash < 50; hash++)
            for (var step = 0; step < 3; step++) table.Prefetch(hash * 7919, step);

        encoder.Encode(["k42"]);
        Assert.Equal(42, table.Find(encoder.Key, PackedRowTable.Hash(encoder.Key)));
        encoder.Encode(["k100"]);
        Assert.Equal(-1, table.Find(encoder.Key, PackedRowTable.Hash(encoder.Key)));
    }

    [Fact]
    public void KeyEncoder_KeepsCompositeParts_Apart_AndNormalises()
    {
        var plain = new JoinKeyEncoder([0, 1], trim: false, ignoreCase: false);
        var normalising = new JoinKeyEncoder([0, 1], trim: true, ignoreCase: true);
        var longPart = new string('a', 200);

        Assert.NotEqual(Key(plain, ["ab", "c"]), Key(plain, ["a", "bc"]));
        Assert.Equal(Key(plain, [longPart, "x"]), Key(plain, [longPart, "x"]));
        Assert.NotEqual(Key(plain, [longPart, "x"]), Key(plain, [longPart + "a", "x"]));
        Assert.Equal(Key(normalising, [" Ab ", "é"]), Key(normalising, ["aB", " É"]));
        Assert.True(normalising.Encode(["  ", "x"]));
        Assert.True(plain.Encode(["x"]));
        Assert.False(plain.Encode(["x", "y"]));
    }

    [Fact]
    public async Task SpillFile_GivesBackBatchesAsWritten()
    {
        using var folder = new TempFolder();
        var first = new RecordSchema(["a", "b"]);
        var second = new RecordSchema(["c"]);
        RecordBatch[] written =
        [
            new(first, [new Record(["1", null], new SourceRef("x.csv", 2)), new Record(["", "é"], SourceRef.None)]),
            new(second, [new Record(["z"], new SourceRef("y.csv", 9_000_000_000))]),
            new(first, [new Record(["3", "4"], new SourceRef("x.csv", 3))]),
        ];

        var spill = new RecordSpillFile(folder["spill.bin"]);
        await using (spill)
        {
            foreach (var batch in written) await spill.WriteAsync(batch, CancellationToken.None);
            var read = new List<RecordBatch>();
            await foreach (var batch in spill.ReadAllAsync(CancellationToken.None)) read.Add(batch);

            Assert.Equal(4, spill.Rows);
            Assert.Equal(written.Select(b => b.Schema.ToString()), read.Select(b => b.Schema.ToString()));
            Assert.Same(read[0].Schema, read[2].Schema);
            Assert.Equal(
                written.SelectMany(b => b.Rows).Select(r => (string.Join("|", r.Values.Select(v => v ?? "∅")), r.Source)),
                read.SelectMany(b => b.Rows).Select(r => (string.Join("|", r.Values.Select(v => v ?? "∅")), r.Source)));
        }
        Assert.False(File.Exists(folder["spill.bin"]));
    }

    private static byte[] Key(JoinKeyEncoder encoder, string?[] values)
    {
        encoder.Encode(values);
        return encoder.Key.ToArray();
    }
}
