using System.Net.Sockets;
using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ConnectPlus.Engine.Connectors.Sftp;

/// <summary>
/// Files on an SFTP server (SSH.NET). One SSH session per location, opened on first use and opened again
/// after it drops. Writes go to a hidden temporary name and are renamed into place: with the OpenSSH
/// <c>posix-rename</c> extension when replacing (atomic), with a plain SFTP rename otherwise (which refuses
/// an existing target, so nothing is overwritten by accident). Operations may run at once (SSH.NET multiplexes
/// them over the session); connecting and dropping the session take turns, so a race makes one session, not two.
/// </summary>
public sealed class SftpFileLocation : RemoteFileLocation
{
    private readonly SftpConnectionSettings _settings;
    private readonly string _root;
    private readonly string? _pinnedFingerprint;
    // Guards _client: two operations finding no session must not both connect (one session would leak), and a
    // drop after a fault must not dispose a session another operation is still connecting.
    private readonly SemaphoreSlim _session = new(1, 1);
    private SftpClient? _client;
    private string? _rejectedFingerprint;
    private int _sessionsOpened;
    private bool _disposed;

    public SftpFileLocation(SftpConnectionSettings settings, RetryPolicy? retry = null)
        : base(DisplayOf(settings), retry ?? RetryPolicy.None)
    {
        _settings = settings;
        _root = RemotePath.Root(settings.RootFolder);
        _pinnedFingerprint = NormalizeFingerprint(settings.HostKeyFingerprint);
    }

    private static string DisplayOf(SftpConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var root = RemotePath.Root(settings.RootFolder);
        var path = root.StartsWith('/') ? root : root.Length == 0 ? "/~" : "/~/" + root;
        return $"sftp://{settings.Username}@{settings.Host}:{settings.Port}{path}";
    }

    protected override async Task TestRootAsync(CancellationToken cancellationToken)
    {
        var client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        Renci.SshNet.Sftp.SftpFileAttributes attributes;
        try
        {
            attributes = await client.GetAttributesAsync(Full(""), cancellationToken).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException ex)
        {
            throw new ConnectionException(ConnectionFailure.NotFoundOnServer, $"{Display}: the root folder does not exist. Check 'rootFolder'.", ex);
        }
        if (!attributes.IsDirectory)
            throw new ConnectionException(ConnectionFailure.NotFoundOnServer, $"{Display}: the root folder is a file, not a folder.");
        await foreach (var _ in client.ListDirectoryAsync(Full(""), cancellationToken).ConfigureAwait(false)) break;
    }

    protected override async Task<IReadOnlyList<RemoteEntry>> ListFolderAsync(string folder, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<RemoteEntry>();
        await foreach (var file in client.ListDirectoryAsync(Full(folder), cancellationToken).ConfigureAwait(false))
        {
            if (file.Name is "." or "..") continue;
            var attributes = file.Attributes;
            if (file.IsSymbolicLink)
            {
                // A link counts as what it points to; a dangling one is left out.
                try
                {
                    attributes = await client.GetAttributesAsync(file.FullName, cancellationToken).ConfigureAwait(false);
                }
                catch (SftpPathNotFoundException)
                {
                    continue;
                }
            }
            if (attributes.IsDirectory) entries.Add(new RemoteEntry(file.Name, true, 0, default));
            else if (attributes.IsRegularFile) entries.Add(new RemoteEntry(file.Name, false, attributes.Size, Utc(attributes.LastWriteTimeUtc)));
        }
        return entries;
    }

    protected override async Task<RemoteFile?> StatFileAsync(string path, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var attributes = await client.GetAttributesAsync(Full(path), cancellationToken).ConfigureAwait(false);
            return attributes.IsRegularFile ? new RemoteFile(path, attributes.Size, Utc(attributes.LastWriteTimeUtc)) : null;
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
    }

    protected override async Task<Stream> OpenFileAsync(string path, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        return await client.OpenAsync(Full(path), FileMode.Open, FileAccess.Read, cancellationToken).ConfigureAwait(false);
    }

    protected override async Task UploadFileAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        await client.UploadFileAsync(content, Full(path), canOverride: true, uploadProgress: null, cancellationToken).ConfigureAwait(false);
    }

    protected override async Task RenameAsync(string fromPath, string toPath, bool replace, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        if (replace)
        {
            // posix-rename@openssh.com replaces the target atomically; SSH.NET offers it synchronously only.
            await Task.Run(() => client.RenameFile(Full(fromPath), Full(toPath), isPosix: true), cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            // A plain SFTP rename fails when the target exists: no-clobber without a race.
            await client.RenameFileAsync(Full(fromPath), Full(toPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SftpException ex) when (ex is not SftpPathNotFoundException and not SftpPermissionDeniedException)
        {
            if (!await ExistsAsync(client, toPath, cancellationToken).ConfigureAwait(false)) throw;
            throw new ConnectionException(ConnectionFailure.AlreadyExists, $"{Display}: cannot rename to '{toPath}': the target exists.", ex);
        }
    }

    protected override async Task CreateFolderAsync(string folder, CancellationToken cancellationToken)
    {
        if (folder.Length == 0) return;
        var client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        var current = "";
        foreach (var segment in folder.Split('/'))
        {
            current = RemotePath.Join(current, segment);
            if (await ExistsAsync(client, current, cancellationToken).ConfigureAwait(false)) continue;
            try
            {
                await client.CreateDirectoryAsync(Full(current), cancellationToken).ConfigureAwait(false);
            }
            catch (SshException)
            {
                // Another writer (another block of the run, another node) made it between the look and the mkdir;
                // SFTP answers that with a bare "Failure". Only when it is still missing was the failure ours.
                if (!await ExistsAsync(client, current, cancellationToken).ConfigureAwait(false)) throw;
            }
        }
    }

    protected override async Task DeleteFileAsync(string path, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await client.DeleteFileAsync(Full(path), cancellationToken).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException)
        {
            // Already gone: that is what was asked.
        }
    }

    protected internal override (ConnectionFailure Failure, string Reason) Classify(Exception exception) => exception switch
    {
        SshConnectionException when _rejectedFingerprint is not null => (ConnectionFailure.ServerIdentityRejected,
            $"the server's host key is SHA256:{_rejectedFingerprint}, but the connection expects SHA256:{_pinnedFingerprint}. " +
            "If the server's key was changed on purpose, update 'hostKeyFingerprint'; otherwise something is impersonating the server."),
        SocketException socket => NetworkFaults.Classify(socket, _settings.Host, _settings.Port),
        SshAuthenticationException => (ConnectionFailure.AuthenticationFailed,
            $"the server refused user '{_settings.Username}' with the {Credentials()} given. Check 'username', 'password' and 'privateKey'."),
        SshPassPhraseNullOrEmptyException => (ConnectionFailure.InvalidSettings, "the private key is protected by a passphrase: give it in 'passphrase'."),
        SshOperationTimeoutException => (ConnectionFailure.Timeout, "the server did not answer in time."),
        SshConnectionException { DisconnectReason: DisconnectReason.NoMoreAuthenticationMethodsAvailable } => (ConnectionFailure.AuthenticationFailed,
            $"the server refused user '{_settings.Username}' with the {Credentials()} given."),
        SshConnectionException { DisconnectReason: DisconnectReason.HostKeyNotVerifiable } => (ConnectionFailure.ServerIdentityRejected, "the server's host key could not be verified."),
        SshConnectionException { DisconnectReason: DisconnectReason.None or DisconnectReason.ConnectionLost or DisconnectReason.ByApplication or DisconnectReason.TooManyConnections } =>
            (ConnectionFailure.ConnectionLost, "the connection was closed."),
        SftpPathNotFoundException => (ConnectionFailure.NotFoundOnServer, "there is no such file or folder."),
        SftpPermissionDeniedException => (ConnectionFailure.PermissionDenied, $"the server does not allow user '{_settings.Username}' to do this."),
        IOException or ObjectDisposedException => (ConnectionFailure.ConnectionLost, "the connection was closed."),
        TimeoutException => (ConnectionFailure.Timeout, "the server did not answer in time."),
        _ => (ConnectionFailure.ServerError, exception.Message),
    };

    /// <summary>SSH sessions opened so far (tests check that racing operations share one).</summary>
    internal int SessionsOpened => Volatile.Read(ref _sessionsOpened);

    protected override async ValueTask ResetConnectionAsync()
    {
        await _session.WaitAsync().ConfigureAwait(false);
        try
        {
            DropSession();
        }
        finally
        {
            _session.Release();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await ResetConnectionAsync().ConfigureAwait(false);
        _session.Dispose();
    }

    private async Task<SftpClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _client) is { IsConnected: true } current) return current;
        await _session.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another operation may have connected while this one waited.
            if (_client is { IsConnected: true } connected) return connected;
            DropSession();
            _rejectedFingerprint = null;
            var client = new SftpClient(ConnectionInfo())
            {
                OperationTimeout = TimeSpan.FromSeconds(_settings.OperationTimeoutSeconds),
            };
            client.HostKeyReceived += CheckHostKey;
            Interlocked.Increment(ref _sessionsOpened);
            try
            {
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                client.Dispose();
                throw;
            }
            Volatile.Write(ref _client, client);
            return client;
        }
        finally
        {
            _session.Release();
        }
    }

    private void DropSession()
    {
        var client = _client;
        Volatile.Write(ref _client, null);
        client?.Dispose();
    }

    private void CheckHostKey(object? sender, HostKeyEventArgs e)
    {
        if (_pinnedFingerprint is null || string.Equals(e.FingerPrintSHA256, _pinnedFingerprint, StringComparison.Ordinal)) return;
        _rejectedFingerprint = e.FingerPrintSHA256;
        e.CanTrust = false;
    }

    private ConnectionInfo ConnectionInfo()
    {
        var methods = new List<AuthenticationMethod>();
        if (!string.IsNullOrWhiteSpace(_settings.PrivateKey)) methods.Add(new PrivateKeyAuthenticationMethod(_settings.Username, LoadKey()));
        if (!string.IsNullOrEmpty(_settings.Password))
        {
            methods.Add(new PasswordAuthenticationMethod(_settings.Username, _settings.Password));
            // Some servers take passwords only through keyboard-interactive prompts.
            var interactive = new KeyboardInteractiveAuthenticationMethod(_settings.Username);
            interactive.AuthenticationPrompt += (_, e) =>
            {
                foreach (var prompt in e.Prompts) prompt.Response = _settings.Password;
            };
            methods.Add(interactive);
        }
        return new ConnectionInfo(_settings.Host, _settings.Port, _settings.Username, [.. methods])
        {
            Timeout = TimeSpan.FromSeconds(_settings.ConnectTimeoutSeconds),
        };
    }

    private PrivateKeyFile LoadKey()
    {
        using var key = new MemoryStream(Encoding.UTF8.GetBytes(_settings.PrivateKey.Trim() + "\n"));
        var passphrase = string.IsNullOrEmpty(_settings.Passphrase) ? null : _settings.Passphrase;
        try
        {
            return new PrivateKeyFile(key, passphrase);
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            throw new ConnectionException(ConnectionFailure.InvalidSettings, $"{Display}: the private key is protected by a passphrase: give it in 'passphrase'.");
        }
        catch (Exception ex) when (ex is SshException or System.Security.Cryptography.CryptographicException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            throw passphrase is null
                ? new ConnectionException(ConnectionFailure.InvalidSettings, $"{Display}: 'privateKey' is not a private key SSH can use (OpenSSH or PEM text): {ex.Message}", ex)
                : new ConnectionException(ConnectionFailure.AuthenticationFailed, $"{Display}: the private key could not be opened with the passphrase given (or is not a key SSH can use): {ex.Message}", ex);
        }
    }

    private string Credentials() => (string.IsNullOrEmpty(_settings.Password), string.IsNullOrWhiteSpace(_settings.PrivateKey)) switch
    {
        (false, true) => "password",
        (true, false) => "private key",
        _ => "password and private key",
    };

    private async Task<bool> ExistsAsync(SftpClient client, string path, CancellationToken cancellationToken) =>
        await client.ExistsAsync(Full(path), cancellationToken).ConfigureAwait(false);

    private string Full(string relative) =>
        _root.Length == 0 ? (relative.Length == 0 ? "." : relative) : RemotePath.Join(_root, relative);

    private static DateTimeOffset Utc(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    private static string? NormalizeFingerprint(string fingerprint)
    {
        var value = fingerprint.Trim();
        if (value.Length == 0) return null;
        if (value.StartsWith("SHA256:", StringComparison.Ordinal)) value = value["SHA256:".Length..];
        return value.TrimEnd('=');
    }
}
