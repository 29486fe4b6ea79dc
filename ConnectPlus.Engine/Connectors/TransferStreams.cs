namespace ConnectPlus.Engine.Connectors;

/// <summary>
/// A remote file being read. A fault midway cannot be resumed transparently (the caller has consumed
/// part of the content), so it ends the read with a <see cref="ConnectionException"/> saying how far it got.
/// </summary>
internal sealed class RemoteReadStream(Stream inner, RemoteFileLocation location, string path, IDisposable? owner = null) : Stream
{
    private long _read;
    private bool _failed;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            var n = inner.Read(buffer);
            _read += n;
            return n;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ConnectionException)
        {
            throw Lost(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            _read += n;
            return n;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not ConnectionException)
        {
            throw Lost(ex);
        }
    }

    private bool ClosedAlready(Exception ex) => _failed || location.Classify(ex).Failure is ConnectionFailure.ConnectionLost;

    private ConnectionException Lost(Exception ex)
    {
        _failed = true;
        var (failure, reason) = location.Classify(ex);
        // Whatever the library calls it, a transfer cut short is a lost connection to the caller.
        if (failure is ConnectionFailure.Timeout or ConnectionFailure.Refused or ConnectionFailure.ServerError) failure = ConnectionFailure.ConnectionLost;
        return new ConnectionException(failure, $"{location.Display}: reading '{path}' failed after {_read:N0} bytes: {reason}", ex);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                inner.Dispose();
            }
            catch (Exception ex) when (ClosedAlready(ex))
            {
                // Nothing to close on a connection that is gone.
            }
            owner?.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ClosedAlready(ex))
        {
            // Nothing to close on a connection that is gone.
        }
        owner?.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// The caller's content on its way to a server. Its own faults are marked so that they reach the caller as
/// they are, and are not taken for a server fault by the protocol library that reads it.
/// </summary>
internal sealed class WriteSourceStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>The caller's exception, when <paramref name="exception"/> is (or wraps) a fault of the content.</summary>
    public static Exception? CallerFault(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is ContentFaultException fault) return fault.InnerException;
        }
        return exception is AggregateException aggregate
            ? aggregate.InnerExceptions.Select(CallerFault).FirstOrDefault(f => f is not null)
            : null;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ContentFaultException(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ContentFaultException(ex);
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private sealed class ContentFaultException(Exception inner) : Exception(inner.Message, inner);
}
