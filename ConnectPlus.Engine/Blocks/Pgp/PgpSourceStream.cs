namespace ConnectPlus.Engine.Blocks.Pgp;

/// <summary>
/// The encrypted file as the decryption reads it: first a few bytes already read (to tell armor from
/// binary on a stream that cannot seek), then the rest of the file. A failure to read the file itself
/// (a dropped connection) comes out as <see cref="PgpSourceException"/>, so it is not mistaken for a
/// damaged file. Does not own the file's stream.
/// </summary>
internal sealed class PgpSourceStream(ReadOnlyMemory<byte> head, Stream rest) : Stream
{
    private ReadOnlyMemory<byte> _head = head;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_head.IsEmpty)
        {
            try
            {
                return rest.Read(buffer);
            }
            catch (IOException ex)
            {
                throw new PgpSourceException(ex);
            }
        }
        var n = Math.Min(buffer.Length, _head.Length);
        _head.Span[..n].CopyTo(buffer);
        _head = _head[n..];
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>The encrypted file could not be read (its source failed), which says nothing about its content.</summary>
public sealed class PgpSourceException : IOException
{
    public PgpSourceException() { }
    public PgpSourceException(string message) : base(message) { }
    public PgpSourceException(string message, Exception inner) : base(message, inner) { }
    public PgpSourceException(IOException inner) : base(inner?.Message, inner) { }
}
