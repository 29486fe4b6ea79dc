using System.Net;

namespace ConnectPlus.Engine.Connectors.Ftp;

/// <summary>
/// A file coming over an FTP data connection. In FTP a closed data connection is also how a transfer ends,
/// so a server that dies midway looks like the end of the file: this stream checks the size the server
/// announced and the server's final answer (226) before it reports the end, and fails otherwise.
/// </summary>
internal sealed class FtpDownloadStream : Stream
{
    private readonly WebRequest _request;
    private readonly FtpWebResponse _response;
    private readonly Stream _data;
    private readonly StallGuard _guard;
    private readonly long _expected;
    private long _read;
    private bool _complete;

    public FtpDownloadStream(WebRequest request, FtpWebResponse response, TimeSpan timeout)
    {
        _request = request;
        _response = response;
        _data = response.GetResponseStream();
        _expected = response.ContentLength;
        _guard = new StallGuard(timeout, request.Abort);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _data.Read(buffer);
        }
        catch (Exception ex) when (_guard.Fired)
        {
            throw new TimeoutException("the server stopped sending data.", ex);
        }
        return n > 0 ? Count(n) : End();
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        using (cancellationToken.Register(_request.Abort))
        {
            try
            {
                n = await _data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (_guard.Fired && ex is not OperationCanceledException)
            {
                throw new TimeoutException("the server stopped sending data.", ex);
            }
        }
        return n > 0 ? Count(n) : End();
    }

    private int Count(int n)
    {
        _guard.Touch();
        _read += n;
        return n;
    }

    private int End()
    {
        if (_complete) return 0;
        if (_expected >= 0 && _read != _expected)
            throw new IOException($"the data connection closed after {_read:N0} of {_expected:N0} bytes.");
        // Closing the data stream reads the server's final answer: anything but success means a cut transfer.
        _data.Dispose();
        if (_response.StatusCode is not (FtpStatusCode.ClosingData or FtpStatusCode.FileActionOK))
            throw new IOException($"the transfer ended with: {_response.StatusDescription?.Trim()}");
        _complete = true;
        return 0;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _guard.Dispose();
            // Left before the end: abort, or closing would wait for the rest of the file.
            if (!_complete) _request.Abort();
            else _response.Dispose();
        }
        base.Dispose(disposing);
    }
}
