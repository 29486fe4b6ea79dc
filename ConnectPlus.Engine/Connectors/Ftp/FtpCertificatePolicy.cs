using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ConnectPlus.Engine.Connectors.Ftp;

/// <summary>
/// How one FTPS location judges server certificates: the machine's normal validation, plus, when the
/// connection names one, the self-signed certificate with that thumbprint. Remembers the thumbprint it
/// last refused, for the error message.
/// </summary>
internal sealed class FtpCertificateTrust(string thumbprint)
{
    /// <summary>The accepted thumbprint (normalized hex), or empty.</summary>
    public string Thumbprint { get; } = FtpCertificatePolicy.Normalize(thumbprint);

    /// <summary>SHA-256 thumbprint of the certificate last refused, if any.</summary>
    public string? Refused { get; set; }

    public bool Accepts(X509Certificate certificate) =>
        Thumbprint.Length > 0
        && (Thumbprint == certificate.GetCertHashString(HashAlgorithmName.SHA256)
            || Thumbprint == certificate.GetCertHashString(HashAlgorithmName.SHA1));
}

/// <summary>
/// Gives each FTPS request its own certificate policy, although <c>FtpWebRequest</c> validates certificates only
/// through the process-wide <c>ServicePointManager.ServerCertificateValidationCallback</c>.
/// </summary>
/// <remarks>
/// One callback is installed, once, for the life of the process. A location runs each request inside
/// <see cref="Use"/>, which puts its <see cref="FtpCertificateTrust"/> in an <see cref="AsyncLocal{T}"/>: the TLS
/// handshakes FtpWebRequest performs for that request (control and data connections) run in the same
/// execution context, so the callback finds the trust of the request it serves, and no other. Handshakes
/// that are not ours (no trust in context) get exactly what they had before: the callback installed before
/// ours if any, else the machine's normal validation. Nothing is keyed by host, so one connection's trusted
/// certificate never leaks to another connection to the same host.
/// </remarks>
internal static class FtpCertificatePolicy
{
    private static readonly Lock Gate = new();
    private static readonly AsyncLocal<FtpCertificateTrust?> Current = new();
    private static RemoteCertificateValidationCallback? _previous;
    private static bool _installed;

    /// <summary>Uppercase hex without separators: <c>a9:27:…</c> → <c>A927…</c>.</summary>
    public static string Normalize(string thumbprint) =>
        new([.. thumbprint.Where(Uri.IsHexDigit).Select(char.ToUpperInvariant)]);

    /// <summary>
    /// Makes <paramref name="trust"/> the policy of the TLS handshakes started from here on in this async flow.
    /// Call it at the start of the async method that sends the request: the value goes back when it returns.
    /// </summary>
    public static void Use(FtpCertificateTrust trust)
    {
        lock (Gate)
        {
            if (!_installed)
            {
                // FtpWebRequest is obsolete but no FTP client library is available from our package source
#pragma warning disable SYSLIB0014
                _previous = ServicePointManager.ServerCertificateValidationCallback;
                ServicePointManager.ServerCertificateValidationCallback = Validate;
#pragma warning restore SYSLIB0014
                _installed = true;
            }
        }
        Current.Value = trust;
    }

    private static bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (Current.Value is not { } trust) return _previous?.Invoke(sender, certificate, chain, errors) ?? errors == SslPolicyErrors.None;
        if (errors == SslPolicyErrors.None) return true;
        if (certificate is not null && trust.Accepts(certificate)) return true;
        trust.Refused = certificate?.GetCertHashString(HashAlgorithmName.SHA256);
        return false;
    }
}
