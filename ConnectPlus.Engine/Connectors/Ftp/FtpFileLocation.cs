using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Authentication;
using System.Text;

namespace ConnectPlus.Engine.Connectors.Ftp;

/// <summary>
/// Files on an FTP or explicit-FTPS server, through .NET's <c>FtpWebRequest</c> (no FTP client library is
/// available from our package source). Each request signs in on a connection of its own: .NET keeps no FTP
/// connection open between requests.
/// </summary>
/// <remarks>
/// <para>Paths: request URIs carry the path relative to the sign-in folder (an absolute root is sent as
/// <c>%2F…</c>); a rename's target (<c>RNTO</c>) is given relative to the source's folder, with <c>..</c> to climb,
/// because FtpWebRequest prefixes a relative <c>RenameTo</c> with the source's folder.</para>
/// <para>Writes go to a hidden temporary name and are renamed into place with <c>RNFR</c>/<c>RNTO</c>. On POSIX
/// servers (vsftpd, ProFTPD) <c>RNTO</c> replaces an existing target atomically; FTP has no "rename unless it
/// exists", so the no-replace modes check the target first (a writer racing us in between would be overwritten).
/// Servers that refuse to rename onto an existing file (IIS) get a delete then a rename when replacing.</para>
/// <para>FTP answers 550 both for "no such file" and "not allowed"; where it matters the location looks again
/// to tell which.</para>
/// </remarks>
public sealed class FtpFileLocation : RemoteFileLocation
{
    private readonly FtpConnectionSettings _settings;
    private readonly string _root;
    private readonly TimeSpan _timeout;
    private readonly FtpCertificateTrust? _trust;
    private readonly HashSet<string> _knownFolders = new(StringComparer.Ordinal);

    public FtpFileLocation(FtpConnectionSettings settings, RetryPolicy? retry = null)
        : base(DisplayOf(settings), retry ?? RetryPolicy.None)
    {
        _settings = settings;
        _root = RemotePath.Root(settings.RootFolder);
        _timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds);
        _trust = settings.Tls == FtpTls.Explicit ? new FtpCertificateTrust(settings.AcceptCertificateThumbprint) : null;
    }

    private static string DisplayOf(FtpConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var root = RemotePath.Root(settings.RootFolder);
        var path = root.StartsWith('/') ? root : root.Length == 0 ? "/~" : "/~/" + root;
        var tls = settings.Tls == FtpTls.Explicit ? " (explicit TLS)" : "";
        return $"ftp://{settings.Username}@{settings.Host}:{settings.Port}{path}{tls}";
    }

    protected override async Task TestRootAsync(CancellationToken cancellationToken) =>
        await ListFolderAsync("", cancellationToken).ConfigureAwait(false);

    protected override async Task<IReadOnlyList<RemoteEntry>> ListFolderAsync(string folder, CancellationToken cancellationToken)
    {
        List<FtpListEntry> lines;
        try
        {
            lines = await ListLinesAsync(folder, asFolder: true, cancellationToken).ConfigureAwait(false);
        }
        catch (WebException ex) when (Code(ex) == FtpStatusCode.ActionNotTakenFileUnavailable)
        {
            var which = folder.Length == 0 ? "the root folder" : $"the folder '{folder}'";
            throw new ConnectionException(ConnectionFailure.NotFoundOnServer, $"{Display}: {which} does not exist (the server answered: {Answer(ex)}).", ex);
        }
        var entries = new List<RemoteEntry>();
        foreach (var line in lines)
        {
            if (line.Name is "." or "..") continue;
            if (line.Kind == 'd') entries.Add(new RemoteEntry(line.Name, true, 0, default));
            else if (line.Kind == '-') entries.Add(new RemoteEntry(line.Name, false, line.Size, line.Modified));
            else if (line.Kind == 'l' && await LinkedFileSizeAsync(RemotePath.Join(folder, line.Name), cancellationToken).ConfigureAwait(false) is { } size)
                entries.Add(new RemoteEntry(line.Name, false, size, line.Modified));
        }
        return entries;
    }

    protected override async Task<RemoteFile?> StatFileAsync(string path, CancellationToken cancellationToken)
    {
        // LIST of one name: the same size and time as a folder listing gives, in one request.
        List<FtpListEntry> lines;
        try
        {
            lines = await ListLinesAsync(path, asFolder: false, cancellationToken).ConfigureAwait(false);
        }
        catch (WebException ex) when (Code(ex) == FtpStatusCode.ActionNotTakenFileUnavailable)
        {
            return null;
        }
        var name = RemotePath.Name(path);
        foreach (var line in lines)
        {
            if (line.Name != name) continue;
            if (line.Kind == '-') return new RemoteFile(path, line.Size, line.Modified);
            if (line.Kind == 'l' && await LinkedFileSizeAsync(path, cancellationToken).ConfigureAwait(false) is { } size)
                return new RemoteFile(path, size, line.Modified);
        }
        return null;
    }

    protected override async Task<Stream> OpenFileAsync(string path, CancellationToken cancellationToken)
    {
        var request = Request(path, WebRequestMethods.Ftp.DownloadFile);
        try
        {
            var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            return new FtpDownloadStream(request, response, _timeout);
        }
        catch (WebException ex) when (Code(ex) == FtpStatusCode.ActionNotTakenFileUnavailable)
        {
            var exists = await StatFileAsync(path, cancellationToken).ConfigureAwait(false) is not null;
            throw new ConnectionException(exists ? ConnectionFailure.PermissionDenied : ConnectionFailure.NotFoundOnServer,
                exists ? $"{Display}: the server does not let user '{_settings.Username}' read '{path}' ({Answer(ex)})."
                       : $"{Display}: could not open '{path}': there is no such file.", ex);
        }
    }

    protected override async Task UploadFileAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        if (_trust is not null) FtpCertificatePolicy.Use(_trust);
        var request = Request(path, WebRequestMethods.Ftp.UploadFile);
        using var guard = new StallGuard(_timeout, request.Abort);
        using var cancel = cancellationToken.Register(request.Abort);
        try
        {
            var upload = await request.GetRequestStreamAsync().ConfigureAwait(false);
            await using (upload.ConfigureAwait(false))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    guard.Touch();
                    await upload.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                await CloseTlsAsync(upload, guard, cancellationToken).ConfigureAwait(false);
            }
            guard.Touch();
            using var response = (FtpWebResponse)await request.GetResponseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ConnectionException)
        {
            // Whatever broke (the server, or the caller's content), the data connection must not complete normally.
            request.Abort();
            cancellationToken.ThrowIfCancellationRequested();
            if (guard.Fired) throw new TimeoutException($"the server made no progress for {_timeout.TotalSeconds:0} s.", ex);
            throw;
        }
    }

    protected override async Task RenameAsync(string fromPath, string toPath, bool replace, CancellationToken cancellationToken)
    {
        if (!replace && await StatFileAsync(toPath, cancellationToken).ConfigureAwait(false) is not null)
            throw new ConnectionException(ConnectionFailure.AlreadyExists, $"{Display}: cannot rename to '{toPath}': the target exists.");
        try
        {
            await RenameOnceAsync(fromPath, toPath, cancellationToken).ConfigureAwait(false);
        }
        catch (WebException ex) when (Code(ex) == FtpStatusCode.ActionNotTakenFileUnavailable)
        {
            if (await StatFileAsync(fromPath, cancellationToken).ConfigureAwait(false) is null)
                throw new ConnectionException(ConnectionFailure.NotFoundOnServer, $"{Display}: cannot rename '{fromPath}': there is no such file.", ex);
            if (replace && await StatFileAsync(toPath, cancellationToken).ConfigureAwait(false) is not null)
            {
                // Some servers (IIS) will not rename onto an existing file: replace in two steps.
                await DeleteFileAsync(toPath, cancellationToken).ConfigureAwait(false);
                await RenameOnceAsync(fromPath, toPath, cancellationToken).ConfigureAwait(false);
                return;
            }
            throw new ConnectionException(ConnectionFailure.PermissionDenied,
                $"{Display}: the server refused to move '{fromPath}' to '{toPath}' ({Answer(ex)}): user '{_settings.Username}' may not write in one of the two folders.", ex);
        }
    }

    protected override async Task CreateFolderAsync(string folder, CancellationToken cancellationToken)
    {
        var current = "";
        foreach (var segment in folder.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = RemotePath.Join(current, segment);
            if (_knownFolders.Contains(current)) continue;
            try
            {
                using var response = await SendAsync(Request(current, WebRequestMethods.Ftp.MakeDirectory), cancellationToken).ConfigureAwait(false);
            }
            catch (WebException ex) when (Code(ex) == FtpStatusCode.ActionNotTakenFileUnavailable)
            {
                // 550: there already, or not allowed. FTP does not say which; the write or rename that follows will.
            }
            _knownFolders.Add(current);
        }
    }

    protected override async Task DeleteFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(Request(path, WebRequestMethods.Ftp.DeleteFile), cancellationToken).ConfigureAwait(false);
        }
        catch (WebException ex) when (Code(ex) == FtpStatusCode.ActionNotTakenFileUnavailable)
        {
            if (await StatFileAsync(path, cancellationToken).ConfigureAwait(false) is null) return;
            throw new ConnectionException(ConnectionFailure.PermissionDenied, $"{Display}: the server does not let user '{_settings.Username}' delete '{path}' ({Answer(ex)}).", ex);
        }
    }

    protected internal override (ConnectionFailure Failure, string Reason) Classify(Exception exception) => exception switch
    {
        TimeoutException => (ConnectionFailure.Timeout, exception.Message),
        AuthenticationException => (ConnectionFailure.ServerIdentityRejected, CertificateRefusal()),
        WebException { Status: WebExceptionStatus.TrustFailure or WebExceptionStatus.SecureChannelFailure } => (ConnectionFailure.ServerIdentityRejected, CertificateRefusal()),
        WebException { Status: WebExceptionStatus.NameResolutionFailure } =>
            (ConnectionFailure.NameNotResolved, $"the host name '{_settings.Host}' does not resolve. Check 'host' (and the machine's DNS)."),
        WebException { Status: WebExceptionStatus.Timeout } => (ConnectionFailure.Timeout, "the server did not answer in time."),
        WebException { Status: WebExceptionStatus.ProtocolError } web => ClassifyAnswer(web),
        WebException { InnerException: AuthenticationException } => (ConnectionFailure.ServerIdentityRejected, CertificateRefusal()),
        WebException web when NetworkFaults.Find(web) is { } socket => NetworkFaults.Classify(socket, _settings.Host, _settings.Port),
        WebException or IOException or SocketException or ObjectDisposedException => (ConnectionFailure.ConnectionLost, $"the connection was lost ({exception.Message})."),
        _ => (ConnectionFailure.ServerError, exception.Message),
    };

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private (ConnectionFailure, string) ClassifyAnswer(WebException exception)
    {
        var answer = Answer(exception);
        return Code(exception) switch
        {
            FtpStatusCode.NotLoggedIn => (ConnectionFailure.AuthenticationFailed,
                $"the server refused user '{_settings.Username}' ({answer}). Check 'username' and 'password'" +
                (_settings.Tls == FtpTls.None ? ", and whether the server demands TLS ('tls': explicit)." : ".")),
            FtpStatusCode.ActionNotTakenFileUnavailable => (ConnectionFailure.NotFoundOnServer, $"there is no such file or folder, or it may not be used ({answer})."),
            FtpStatusCode.ActionNotTakenFilenameNotAllowed or FtpStatusCode.NeedLoginAccount =>
                (ConnectionFailure.PermissionDenied, $"the server does not allow user '{_settings.Username}' to do this ({answer})."),
            // A positive preliminary answer (150) as the last word: the exchange broke off midway.
            < (FtpStatusCode)200 => (ConnectionFailure.ConnectionLost, $"the transfer broke off (last answer: {answer})."),
            // 4xx answers are transient by definition (421 too many connections, 425 data connection, 426 aborted, 450 busy).
            >= (FtpStatusCode)400 and < (FtpStatusCode)500 => (ConnectionFailure.ConnectionLost, $"the server could not do it now ({answer})."),
            _ => (ConnectionFailure.ServerError, $"the server answered: {answer}"),
        };
    }

    private string CertificateRefusal()
    {
        var refused = _trust?.Refused;
        var pinned = _trust?.Thumbprint ?? "";
        var presented = refused is null ? "" : $" The server presented a certificate with SHA-256 thumbprint {refused}.";
        return pinned.Length > 0
            ? $"the server's TLS certificate is not trusted by this machine and is not the one in 'acceptCertificateThumbprint' ({pinned}).{presented}"
            : $"the server's TLS certificate is not trusted by this machine.{presented} If it is the server's own self-signed certificate, put its thumbprint in 'acceptCertificateThumbprint'.";
    }

    private async Task<List<FtpListEntry>> ListLinesAsync(string path, bool asFolder, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(Request(path, WebRequestMethods.Ftp.ListDirectoryDetails, asFolder), cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(response.GetResponseStream(), Encoding.UTF8);
        var now = DateTimeOffset.UtcNow;
        var entries = new List<FtpListEntry>();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (FtpListing.Parse(line, now) is { } entry) entries.Add(entry);
        }
        return entries;
    }

    private async Task<long?> LinkedFileSizeAsync(string path, CancellationToken cancellationToken)
    {
        // SIZE follows links; it fails for folders and dangling links, which a listing leaves out.
        try
        {
            using var response = await SendAsync(Request(path, WebRequestMethods.Ftp.GetFileSize), cancellationToken).ConfigureAwait(false);
            return response.ContentLength;
        }
        catch (WebException ex) when (Code(ex) == FtpStatusCode.ActionNotTakenFileUnavailable)
        {
            return null;
        }
    }

    private async Task RenameOnceAsync(string fromPath, string toPath, CancellationToken cancellationToken)
    {
        var request = Request(fromPath, WebRequestMethods.Ftp.Rename);
        request.RenameTo = RelativeTarget(fromPath, toPath);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rename target relative to the source's folder: <c>in/a.csv</c> → <c>done/a.csv</c> is <c>../done/a.csv</c>.</summary>
    internal static string RelativeTarget(string fromPath, string toPath)
    {
        var from = RemotePath.Folder(fromPath).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var to = toPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var common = 0;
        while (common < from.Length && common < to.Length - 1 && from[common] == to[common]) common++;
        return string.Join('/', Enumerable.Repeat("..", from.Length - common).Concat(to[common..]));
    }

    private async Task<FtpWebResponse> SendAsync(WebRequest request, CancellationToken cancellationToken)
    {
        if (_trust is not null) FtpCertificatePolicy.Use(_trust);
        using var guard = new StallGuard(_timeout, request.Abort);
        using var cancel = cancellationToken.Register(request.Abort);
        try
        {
            return (FtpWebResponse)await request.GetResponseAsync().ConfigureAwait(false);
        }
        catch (WebException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The FTP request was cancelled.", ex, cancellationToken);
        }
        catch (WebException ex) when (guard.Fired)
        {
            throw new TimeoutException($"the server did not answer within {_timeout.TotalSeconds:0} s.", ex);
        }
        catch (WebException ex) when (ex.Status == WebExceptionStatus.ConnectFailure && NetworkFaults.Find(ex) is null)
        {
            // FtpWebRequest does not say why the connection failed; one plain connection attempt does.
            throw await ConnectFailureAsync(ex, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Exception> ConnectFailureAsync(WebException exception, CancellationToken cancellationToken)
    {
        using var probe = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            await probe.ConnectAsync(_settings.Host, _settings.Port, timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException socket)
        {
            var (failure, reason) = NetworkFaults.Classify(socket, _settings.Host, _settings.Port);
            return new ConnectionException(failure, $"{Display}: could not connect: {reason}", exception);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ConnectionException(ConnectionFailure.Timeout, $"{Display}: could not connect: {_settings.Host}:{_settings.Port} did not answer in time.", exception);
        }
        return new ConnectionException(ConnectionFailure.ConnectionLost, $"{Display}: the server accepted a connection but dropped it ({exception.Message}).", exception);
    }

    // FtpWebRequest is obsolete but no FTP client library is available from our package source
#pragma warning disable SYSLIB0014
    private FtpWebRequest Request(string path, string method, bool asFolder = false)
    {
        var request = (FtpWebRequest)WebRequest.Create(RequestUri(path, asFolder));
#pragma warning restore SYSLIB0014
        request.Method = method;
        request.Credentials = new NetworkCredential(_settings.Username, _settings.Password);
        request.EnableSsl = _settings.Tls == FtpTls.Explicit;
        request.UsePassive = _settings.Passive;
        request.UseBinary = true;
        request.KeepAlive = false;
        request.Timeout = (int)_timeout.TotalMilliseconds;
        request.ReadWriteTimeout = (int)_timeout.TotalMilliseconds;
        return request;
    }

    private Uri RequestUri(string path, bool asFolder)
    {
        var full = RemotePath.Join(_root, path);
        var segments = full.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString);
        var absolute = full.StartsWith('/') ? "%2F" : "";
        var tail = asFolder && full.Length > 0 ? "/" : "";
        return new Uri($"ftp://{_settings.Host}:{_settings.Port}/{absolute}{string.Join('/', segments)}{tail}");
    }

    /// <summary>
    /// FtpWebRequest ends an FTPS upload by closing the data connection without a TLS close_notify, and without
    /// reading what the server sent on it (TLS 1.3 session tickets): the unread bytes make the close a TCP reset,
    /// which can destroy the upload's last bytes in flight, and servers on OpenSSL 3 (vsftpd among them) take a
    /// missing close_notify for a cut transfer. Either way they answer 426. So the upload is finished properly
    /// first: close_notify sent, then the server's own read to the end, on the TLS stream FtpWebRequest keeps in
    /// a private field of its data stream. Should a later .NET rename that field, this does nothing and such
    /// servers answer 426 again, which fails the write (no silent harm).
    /// </summary>
    private static async Task CloseTlsAsync(Stream upload, StallGuard guard, CancellationToken cancellationToken)
    {
        if (upload.GetType().GetField("_stream", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(upload) is not SslStream tls) return;
        await tls.ShutdownAsync().ConfigureAwait(false);
        guard.Touch();
        var drain = new byte[4096];
        while (await tls.ReadAsync(drain, cancellationToken).ConfigureAwait(false) > 0) guard.Touch();
    }

    private static FtpStatusCode? Code(WebException exception) => (exception.Response as FtpWebResponse)?.StatusCode;

    private static string Answer(WebException exception) =>
        (exception.Response as FtpWebResponse)?.StatusDescription?.Trim() is { Length: > 0 } answer ? answer : exception.Message;
}
