using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ConnectPlus.Web.Sandbox;

/// <summary>Which of Capillary's API families an endpoint belongs to: decides auth and error body shapes.</summary>
public enum SandboxApiFamily { OAuth, V2, V11 }

/// <summary>Who called: <c>client:&lt;key&gt;</c> (OAuth) or <c>till:&lt;username&gt;</c> (Basic); the rate limit counts per caller.</summary>
public sealed record SandboxCaller(string Name);

/// <summary>Access tokens issued by v3/oauth/token/generate, valid until their TTL passes on the injected clock.</summary>
internal sealed class SandboxTokens(TimeProvider time)
{
    public const string Header = "X-CAP-API-OAUTH-TOKEN";
    private const int PruneAbove = 1000;
    private readonly ConcurrentDictionary<string, (string ClientKey, DateTimeOffset ExpiresAt)> _tokens = new(StringComparer.Ordinal);
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);

    public string Issue(string clientKey, int ttlSeconds)
    {
        var now = time.GetUtcNow();
        if (_tokens.Count > PruneAbove) Prune(now);
        var token = Jwt(clientKey, now, ttlSeconds);
        _tokens[token] = (clientKey, now.AddSeconds(ttlSeconds));
        return token;
    }

    /// <summary>The client a live token was issued to; null for an unknown or expired token.</summary>
    public string? ClientOf(string token)
    {
        if (!_tokens.TryGetValue(token, out var entry)) return null;
        if (entry.ExpiresAt > time.GetUtcNow()) return entry.ClientKey;
        _tokens.TryRemove(token, out _);
        return null;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (token, entry) in _tokens)
        {
            if (entry.ExpiresAt <= now) _tokens.TryRemove(token, out _);
        }
    }

    // Shaped like Capillary's (a signed JWT) so clients that peek at "exp" work; only this process can verify it.
    private string Jwt(string clientKey, DateTimeOffset now, int ttlSeconds)
    {
        var header = Encode(new { kid = "sandbox", alg = "HS256", typ = "JWT" });
        var payload = Encode(new
        {
            iss = "ConnectPlus sandbox",
            sub = clientKey,
            iat = now.ToUnixTimeSeconds(),
            exp = now.AddSeconds(ttlSeconds).ToUnixTimeSeconds(),
            jti = Guid.NewGuid().ToString("N"),
        });
        var signature = Base64Url.EncodeToString(HMACSHA256.HashData(_signingKey, Encoding.ASCII.GetBytes(header + "." + payload)));
        return header + "." + payload + "." + signature;
    }

    private static string Encode<T>(T value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));
}

/// <summary>
/// Recognises callers: the OAuth header on every API (v1.1 included, as Capillary documents), Basic
/// <c>base64(till:md5hex(password))</c> on v1.1 and, when <see cref="SandboxOptions.V2AcceptsBasicAuth"/>, on v2.
/// </summary>
internal sealed class SandboxAuthenticator
{
    private readonly SandboxTokens _tokens;
    private readonly SandboxOptions _options;
    private readonly Dictionary<string, string> _tillPasswordHashes;

    public SandboxAuthenticator(SandboxTokens tokens, IOptions<SandboxOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _tokens = tokens;
        _options = options.Value;
        _tillPasswordHashes = _options.Tills
            .Where(t => t.Username.Length > 0)
            .GroupBy(t => t.Username, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Md5Hex(g.Last().Password), StringComparer.Ordinal);
    }

    public SandboxCaller? Authenticate(HttpRequest request, SandboxApiFamily family)
    {
        var token = request.Headers[SandboxTokens.Header].ToString();
        if (token.Length > 0) return _tokens.ClientOf(token) is { } client ? new SandboxCaller("client:" + client) : null;
        if (family == SandboxApiFamily.V2 && !_options.V2AcceptsBasicAuth) return null;
        return Basic(request.Headers.Authorization.ToString());
    }

    public SandboxClient? FindClient(string? key, string? secret) =>
        _options.Clients.FirstOrDefault(c => c.Key.Length > 0 && c.Key == key && c.Secret == secret);

    private SandboxCaller? Basic(string header)
    {
        const string scheme = "Basic ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var encoded = header[scheme.Length..].Trim();
        var bytes = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded, bytes, out var length)) return null;
        var pair = Encoding.UTF8.GetString(bytes, 0, length);
        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return null;
        var user = pair[..colon];
        return _tillPasswordHashes.TryGetValue(user, out var hash) && string.Equals(hash, pair[(colon + 1)..], StringComparison.OrdinalIgnoreCase)
            ? new SandboxCaller("till:" + user)
            : null;
    }

    /// <summary>Lower-case hex MD5 of a password, as Capillary's Basic authentication expects it.</summary>
    public static string Md5Hex(string password)
    {
#pragma warning disable CA5351 // Capillary's till authentication is defined as md5hex(password); the sandbox must match it.
        var hash = MD5.HashData(Encoding.UTF8.GetBytes(password));
#pragma warning restore CA5351
        return Convert.ToHexStringLower(hash);
    }
}
