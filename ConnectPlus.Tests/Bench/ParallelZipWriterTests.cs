using System.IO.Compression;
using System.Text;
using ConnectPlus.Bench.Export;
using ConnectPlus.Bench.Workload;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Bench;

public sealed class ParallelZipWriterTests : IDisposable
{
    private static readonly DateTime Time = new(2026, 11, 27, 2, 0, 0);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData((1 << 20) - 1)]
    [InlineData(1 << 20)]
    [InlineData((3 << 20) + 17)]
    public void Entry_ReadsBackAsWritten_WhateverItsSizeAgainstTheChunks(int size)
    {
        var content = Noise(size);
        var path = _temp["test.zip"];

        using (var file = File.Create(path))
        using (var zip = new ParallelZipWriter(file, Time, parallelism: 2))
        {
            using var entry = zip.CreateEntry("data.bin");
            // Odd write sizes, so that writes straddle chunk boundaries.
            for (var offset = 0; offset < size; offset += 70_001)
            {
                entry.Write(content, offset, Math.Min(70_001, size - offset));
            }
        }

        Assert.Equal(content, ReadEntry(path, "data.bin"));
    }

    [Fact]
    public void Zip_HoldsEveryEntry_InOrder_WithUtf8Names()
    {
        var path = _temp["test.zip"];
        string[] names = ["a.csv", "b/ä €.csv", "c.csv"];

        using (var file = File.Create(path))
        using (var zip = new ParallelZipWriter(file, Time, parallelism: 4))
        {
            foreach (var name in names)
            {
                using var entry = zip.CreateEntry(name);
                entry.Write(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(name + "\n", 100_000))));
            }
        }

        using var archive = ZipFile.OpenRead(path);
        Assert.Equal(names, archive.Entries.Select(e => e.FullName));
        Assert.All(archive.Entries, e => Assert.Equal(Time, e.LastWriteTime.DateTime));
        Assert.All(archive.Entries, e => Assert.True(e.CompressedLength < e.Length / 10, "Repetitive text deflates well."));
        Assert.Equal(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("c.csv\n", 100_000))), ReadEntry(path, "c.csv"));
    }

    [Fact]
    public void Zip_UsesZip64_WhenEntriesStartPastFourGigabytes()
    {
        var path = _temp["big.zip"];
        var content = Noise(100_000);

        using (var file = File.Create(path))
        {
            // A sparse gap: the entries land past 4 GiB without writing 4 GiB.
            file.SetLength(5L << 30);
            file.Position = 5L << 30;
            using var zip = new ParallelZipWriter(file, Time, parallelism: 2);
            using (var first = zip.CreateEntry("a.bin"))
            {
                first.Write(content);
            }

            using var second = zip.CreateEntry("b.bin");
            second.Write(content);
        }

        Assert.Equal(content, ReadEntry(path, "a.bin"));
        Assert.Equal(content, ReadEntry(path, "b.bin"));
    }

    [Fact]
    public void CreateEntry_Throws_WhileThePreviousEntryIsOpen()
    {
        using var file = File.Create(_temp["test.zip"]);
        using var zip = new ParallelZipWriter(file, Time, parallelism: 1);
        using var first = zip.CreateEntry("a");

        Assert.Throws<InvalidOperationException>(() => zip.CreateEntry("b"));
    }

    [Fact]
    public void Constructor_Refuses_AStreamThatCannotSeek()
    {
        using var file = File.Create(_temp["test.zip"]);
        using var buffered = new BufferedStream(new NonSeekable(file));

        Assert.Throws<ArgumentException>(() => new ParallelZipWriter(buffered, Time, parallelism: 1));
    }

    private static byte[] Noise(int size)
    {
        // Half random bytes, half text: chunks that deflate to very different sizes.
        var random = new SplitMix(7);
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (i / 4096 % 2 == 0) ? (byte)random.Next(256) : (byte)('a' + (i % 7));
        }

        return bytes;
    }

    private static byte[] ReadEntry(string path, string name)
    {
        using var archive = ZipFile.OpenRead(path);
        using var stream = archive.GetEntry(name)!.Open();
        using var content = new MemoryStream();
        stream.CopyTo(content);
        return content.ToArray();
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
