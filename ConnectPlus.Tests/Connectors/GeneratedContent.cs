using System.Security.Cryptography;

namespace ConnectPlus.Tests.Connectors;

/// <summary>
/// Deterministic bytes made on the fly (nothing held in memory), as a forward-only stream like a network
/// source. It can pause at an offset until the test has looked at the server (<see cref="PauseAt"/>), or fail
/// there (<see cref="FailAt"/>).
/// </summary>
internal sealed class GeneratedContent : Stream
{
    private const int BlockSize = 64 * 1024;
    private readonly long _length;
    private readonly int _seed;
    private readonly byte[] _block = new byte[BlockSize];
    private long _blockIndex = -1;
    private long _position;

    public GeneratedContent(long length, int seed = 1)
    {
        _length = length;
        _seed = seed;
    }

    /// <summary>Called once when the reader reaches this offset; reading goes on when it completes.</summary>
    public (long Offset, Func<Task> Action)? PauseAt { get; init; }

    /// <summary>Reading past this offset throws <see cref="IOException"/>, like a source that broke.</summary>
    public long? FailAt { get; init; }

    private bool _paused;

    /// <summary>SHA-256 of the whole content.</summary>
    public static byte[] HashOf(long length, int seed = 1)
    {
        using var content = new GeneratedContent(length, seed);
        return SHA256.HashData(content);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (PausePending)
        {
            // A synchronous reader cannot wait politely, so it waits here.
            _paused = true;
            PauseAt!.Value.Action().GetAwaiter().GetResult();
        }
        if (FailAt is { } fail && _position >= fail) throw new IOException("The test source broke on purpose.");
        var limit = Math.Min(_length, FailAt ?? long.MaxValue);
        if (PauseAt is { } pause && !_paused) limit = Math.Min(limit, pause.Offset);
        var count = (int)Math.Min(buffer.Length, limit - _position);
        var written = 0;
        while (written < count)
        {
            var index = _position / BlockSize;
            if (index != _blockIndex) FillBlock(index);
            var inBlock = (int)(_position % BlockSize);
            var n = Math.Min(count - written, BlockSize - inBlock);
            _block.AsSpan(inBlock, n).CopyTo(buffer[written..]);
            written += n;
            _position += n;
        }
        return written;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (PausePending)
        {
            _paused = true;
            await PauseAt!.Value.Action();
        }
        return Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private bool PausePending => PauseAt is { } pause && !_paused && _position >= pause.Offset;

    private void FillBlock(long index)
    {
        // xorshift64* keyed by seed and block: fast, and different in every block.
        var state = (ulong)(index + 1) * 0x9E3779B97F4A7C15UL ^ (ulong)_seed * 0xD1B54A32D192ED03UL;
        for (var i = 0; i < BlockSize; i += 8)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            BitConverter.TryWriteBytes(_block.AsSpan(i, 8), state * 0x2545F4914F6CDD1DUL);
        }
        _blockIndex = index;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Reads a stream to its end through a small buffer, hashing it and watching the managed heap.</summary>
internal static class ContentReader
{
    public sealed record Result(long Bytes, byte[] Hash, long PeakHeapGrowth);

    public static async Task<Result> ReadAsync(Stream stream, long heapBaseline, long sampleEvery = 8 << 20, Func<long, Task>? afterBytes = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0, nextSample = sampleEvery, peak = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
            if (afterBytes is not null) await afterBytes(total);
            if (total >= nextSample)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - heapBaseline);
                nextSample += sampleEvery;
            }
        }
        return new Result(total, hash.GetHashAndReset(), peak);
    }
}
