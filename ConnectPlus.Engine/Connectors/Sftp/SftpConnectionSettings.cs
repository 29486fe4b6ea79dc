using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Connectors.Sftp;

/// <summary>An SFTP server (SSH file transfer), signed in with a password or a private key.</summary>
[ConnectionType("sftp", "SFTP server", Icon = "dns")]
public sealed class SftpConnectionSettings : RemoteConnectionSettings, IFileConnectionSettings, IValidatableObject
{
    /// <summary>Host name or IP address of the server.</summary>
    [Required(ErrorMessage = "Give the server's host name.")]
    [Setting(Order = 1, Group = "Server", Placeholder = "sftp.brand.com")]
    public string Host { get; set; } = "";

    /// <summary>TCP port of the SSH server.</summary>
    [Range(1, 65535, ErrorMessage = "Give a port between 1 and 65535.")]
    [Setting(Order = 2, Group = "Server")]
    public int Port { get; set; } = 22;

    /// <summary>
    /// The folder the dataflows' paths start from: absolute (<c>/exports</c>) or relative to the account's
    /// home folder (<c>exports</c>). Empty means the home folder.
    /// </summary>
    [Setting(Order = 3, Group = "Server", Editor = EditorHint.FolderPath, Placeholder = "/exports")]
    public string RootFolder { get; set; } = "";

    /// <summary>
    /// The server's host key fingerprint as <c>ssh-keygen -l</c> prints it (<c>SHA256:…</c>). When given, a server
    /// presenting another key is refused (it may be an impostor); when empty, any host key is accepted.
    /// </summary>
    [RegularExpression(@"^\s*(SHA256:)?[A-Za-z0-9+/]{43}=?\s*$", ErrorMessage = "Give the SHA256 fingerprint as ssh-keygen -l prints it, e.g. SHA256:ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og.")]
    [Setting(Order = 4, Group = "Server", Placeholder = "SHA256:ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og")]
    public string HostKeyFingerprint { get; set; } = "";

    /// <summary>The account to sign in as.</summary>
    [Required(ErrorMessage = "Give the user name to sign in as.")]
    [Setting(Order = 10, Group = "Sign-in")]
    public string Username { get; set; } = "";

    /// <summary>The account's password. Leave empty to sign in with a private key only.</summary>
    [Setting(Order = 11, Group = "Sign-in", Secret = true)]
    public string Password { get; set; } = "";

    /// <summary>
    /// A private key to sign in with, as text (OpenSSH or PEM format: <c>-----BEGIN OPENSSH PRIVATE KEY-----</c>…).
    /// Its public key must be in the account's authorized keys on the server.
    /// </summary>
    [Setting(Order = 12, Group = "Sign-in", Secret = true, Editor = EditorHint.MultilineText)]
    public string PrivateKey { get; set; } = "";

    /// <summary>The passphrase of the private key, when it has one.</summary>
    [Setting(Order = 13, Group = "Sign-in", Secret = true)]
    public string Passphrase { get; set; } = "";

    /// <summary>Seconds to wait for the server to accept the connection and sign-in.</summary>
    [Range(1, 600, ErrorMessage = "Give a timeout between 1 and 600 seconds.")]
    [Setting(Order = 20, Group = "Advanced")]
    public int ConnectTimeoutSeconds { get; set; } = 30;

    /// <summary>Seconds to wait for the server to answer one request (a listing, a block of a transfer) before giving up.</summary>
    [Range(1, 3600, ErrorMessage = "Give a timeout between 1 and 3600 seconds.")]
    [Setting(Order = 21, Group = "Advanced")]
    public int OperationTimeoutSeconds { get; set; } = 120;

    public IFileLocation Open(string connectionName, Action<RetryNotice>? onRetry) => new SftpFileLocation(this, CreateRetryPolicy(onRetry));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(Password) && string.IsNullOrWhiteSpace(PrivateKey))
            yield return new ValidationResult("Give a password or a private key.", [nameof(Password), nameof(PrivateKey)]);
        if (!string.IsNullOrEmpty(Passphrase) && string.IsNullOrWhiteSpace(PrivateKey))
            yield return new ValidationResult("A passphrase goes with a private key: give the key too, or clear the passphrase.", [nameof(Passphrase)]);
    }
}
