using System.Buffers;
using System.Text;
using System.Text.Unicode;
using ConnectPlus.Engine.Blocks.Csv;
using ConnectPlus.Engine.Data;

namespace ConnectPlus.Tests.Blocks.Csv;

/// <summary>
/// <see cref="CsvTextStream"/> checks UTF-8 read by read (reads that are all ASCII with a faster scan than
/// the decoder): it must find the first invalid byte of the whole text, and only it, wherever reads split it.
/// </summary>
public sealed class CsvTextStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Read_FindsTheSameInvalidByteAsTheDecoder_WhereverReadsSplitTheText(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 40; round++)
        {
            var bytes = Text(random, 70_000 + random.Next(100_000));
            var expectInvalid = random.Next(4) != 0;
            if (expectInvalid)
            {
                // A lone continuation byte, a sequence cut short by ASCII, or a sequence cut short at the end.
                var at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0: bytes.Insert(at, 0x80); break;
                    case 1: bytes.InsertRange(at, [0xE2, 0x82, (byte)'x']); break;
                    default: bytes.AddRange([0xF0, 0x9F]); break;
                }
            }
            var data = bytes.ToArray();
            var file = new FileItem("t.csv", _ => ValueTask.FromResult<Stream>(new MemoryStream(data)));
            await using var stream = await CsvTextStream.OpenAsync(file, CsvReadEncoding.Utf8, CancellationToken.None);
            var chunks = new List<byte[]>();
            var buffer = new byte[70_000];
            int n;
            do
            {
                var size = random.Next(3) switch { 0 => random.Next(1, 8), 1 => random.Next(1, 5000), _ => buffer.Length };
                n = await stream.ReadAsync(buffer.AsMemory(0, size));
                chunks.Add(buffer[..n]);
            }
            while (n > 0);

            Assert.Equal(data, chunks.SelectMany(c => c).ToArray());
            Assert.Equal(FirstInvalidByte(data), stream.InvalidAt);
            Assert.Equal(expectInvalid, stream.InvalidAt >= 0);
        }
    }

    [Theory]
    [InlineData(99)]
    [InlineData(100)]
    [InlineData(101)]
    [InlineData(102)]
    [InlineData(103)]
    public async Task Read_FindsACharacterCutShort_WhenTheReadAfterItIsAllAscii(int firstRead)
    {
        // 100 ASCII bytes, the first two bytes of €, ASCII again: the bad sequence starts at byte 100.
        byte[] data = [.. Enumerable.Repeat((byte)'a', 100), 0xE2, 0x82, .. Enumerable.Repeat((byte)'x', 100)];
        var file = new FileItem("t.csv", _ => ValueTask.FromResult<Stream>(new MemoryStream(data)));
        await using var stream = await CsvTextStream.OpenAsync(file, CsvReadEncoding.Utf8, CancellationToken.None);
        var buffer = new byte[data.Length];
        var n = await stream.ReadAsync(buffer.AsMemory(0, firstRead));
        while (n > 0) n = await stream.ReadAsync(buffer);

        Assert.Equal(100, stream.InvalidAt);
        Assert.Equal(FirstInvalidByte(data), stream.InvalidAt);
    }

    // Where the whole text, decoded at once, stops being UTF-8 (the start of the first bad sequence), or -1.
    private static long FirstInvalidByte(byte[] data)
    {
        var status = Utf8.ToUtf16(data, new char[data.Length], out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
        return status == OperationStatus.Done ? -1 : read;
    }

    // CSV-like text, mostly ASCII, with runs of 2, 3 and 4 byte characters here and there.
    private static List<byte> Text(Random random, int size)
    {
        string[] words = ["B100000001", "2026-10-28", "UPI", "café", "naïve", "€12", "日本", "😀", "\"q\"", "x"];
        var text = new StringBuilder("id,name\n");
        while (text.Length < size)
        {
            var ascii = random.Next(3) != 0;
            text.Append(ascii ? words[random.Next(3)] : words[random.Next(words.Length)]).Append(random.Next(8) == 0 ? '\n' : ',');
        }
        return [.. Encoding.UTF8.GetBytes(text.ToString())];
    }
}
