using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Connectors.Ftp;

/// <summary>Whether an FTP connection is encrypted.</summary>
public enum FtpTls
{
    /// <summary>Plain FTP: password and files travel unencrypted. Only for trusted networks.</summary>
    None,
    /// <summary>Explicit FTPS (AUTH TLS on the FTP port): sign-in and files encrypted.</summary>
    Explicit,
}

/// <summary>An FTP or FTPS server, signed in with a user name and password.</summary>
[ConnectionType("ftp", "FTP / FTPS server", Icon = "lan")]
public sealed class FtpConnectionSettings : RemoteConnectionSettings, IFileConnectionSettings, IValidatableObject
{
    /// <summary>Host name or IP address of the server.</summary>
    [Required(ErrorMessage = "Give the server's host name.")]
    [Setting(Order = 1, Group = "Server", Placeholder = "ftp.brand.com")]
    public string Host { get; set; } = "";

    /// <summary>TCP port of the FTP server (21 for FTP and explicit FTPS).</summary>
    [Range(1, 65535, ErrorMessage = "Give a port between 1 and 65535.")]
    [Setting(Order = 2, Group = "Server")]
    public int Port { get; set; } = 21;

    /// <summary>
    /// The folder the dataflows' paths start from: absolute (<c>/exports</c>) or relative to the folder the
    /// account lands in after signing in (<c>exports</c>). Empty means that folder.
    /// </summary>
    [Setting(Order = 3, Group = "Server", Editor = EditorHint.FolderPath, Placeholder = "/exports")]
    public string RootFolder { get; set; } = "";

    /// <summary>Encryption: none (plain FTP) or explicit TLS (FTPS, recommended whenever the server offers it).</summary>
    [Setting(Order = 4, Group = "Server")]
    public FtpTls Tls { get; set; } = FtpTls.None;

    /// <summary>
    /// For FTPS with a self-signed certificate: its SHA-256 (or SHA-1) thumbprint in hex, which is then accepted
    /// for this host. Leave empty to accept only certificates the machine trusts.
    /// </summary>
    [RegularExpression(@"^\s*([0-9A-Fa-f]{2}[:\s]?){20}([0-9A-Fa-f]{2}[:\s]?){0,12}\s*$", ErrorMessage = "Give the certificate's SHA-256 (64 hex digits) or SHA-1 (40 hex digits) thumbprint.")]
    [Setting(Order = 5, Group = "Server", Placeholder = "A9:27:97:3A:…")]
    public string AcceptCertificateThumbprint { get; set; } = "";

    /// <summary>The account to sign in as.</summary>
    [Required(ErrorMessage = "Give the user name to sign in as.")]
    [Setting(Order = 10, Group = "Sign-in")]
    public string Username { get; set; } = "";

    /// <summary>The account's password.</summary>
    [Setting(Order = 11, Group = "Sign-in", Secret = true)]
    public string Password { get; set; } = "";

    /// <summary>Passive mode: the client opens the data connections (works through firewalls and NAT). Turn off only for servers that need active mode.</summary>
    [Setting(Order = 20, Group = "Advanced")]
    public bool Passive { get; set; } = true;

    /// <summary>Seconds to wait for the server to answer (connecting, signing in, or a transfer that makes no progress).</summary>
    [Range(1, 3600, ErrorMessage = "Give a timeout between 1 and 3600 seconds.")]
    [Setting(Order = 21, Group = "Advanced")]
    public int TimeoutSeconds { get; set; } = 60;

    public IFileLocation Open(string connectionName, Action<RetryNotice>? onRetry) => new FtpFileLocation(this, CreateRetryPolicy(onRetry));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var thumbprint = FtpCertificatePolicy.Normalize(AcceptCertificateThumbprint);
        if (thumbprint.Length > 0 && Tls == FtpTls.None)
            yield return new ValidationResult("A certificate thumbprint needs TLS: set 'tls' to explicit, or clear the thumbprint.", [nameof(AcceptCertificateThumbprint)]);
        if (thumbprint.Length is not (0 or 40 or 64))
            yield return new ValidationResult("Give the certificate's SHA-256 (64 hex digits) or SHA-1 (40 hex digits) thumbprint.", [nameof(AcceptCertificateThumbprint)]);
    }
}
