using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ConnectPlus.Web.Features.Api;

/// <summary>
/// The clients allowed to call the REST API, from the <c>Api:Keys</c> section of appsettings.json: client name →
/// the key itself (at least <see cref="MinimumKeyLength"/> characters), or an object with <c>KeySha256</c> (the key's
/// SHA-256 in hex, so the file never holds the key) and <c>Workspace</c> (the workspace the client works in; the
/// default workspace when absent). Only hashes are kept in memory; keys are compared in constant time.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Api:Keys";

    /// <summary>Fewest characters in a key: a short key could be guessed.</summary>
    public const int MinimumKeyLength = 16;

    public List<ApiClient> Clients { get; } = [];

    /// <summary>Problems in the section, reported when the app starts.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Reads the section; problems are collected, not thrown, so that start-up reports them all.</summary>
    public void Load(IConfigurationSection keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var entry in keys.GetChildren())
        {
            var name = entry.Key;
            // An entry with children is the object form; a configuration layer may also give it an empty value.
            if (!entry.GetChildren().Any())
            {
                var plain = entry.Value ?? "";
                Add(name, KeyHash(plain), workspace: null, plain.Length < MinimumKeyLength ? "the key is too short" : null);
                continue;
            }
            var key = entry["Key"];
            var hash = entry["KeySha256"];
            var workspace = string.IsNullOrWhiteSpace(entry["Workspace"]) ? null : entry["Workspace"]!.Trim();
            if (!string.IsNullOrEmpty(key))
                Add(name, KeyHash(key), workspace, key.Length < MinimumKeyLength ? "the key is too short" : null);
            else if (!string.IsNullOrWhiteSpace(hash))
                Add(name, ParseHash(hash), workspace, null);
            else
                Problems.Add($"{Section}:{name}: give the client's key as \"Key\" or its SHA-256 as \"KeySha256\".");
        }
    }

    /// <summary>The SHA-256 of a key: what is kept and compared, never the key.</summary>
    public static byte[] KeyHash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private void Add(string name, byte[]? hash, string? workspace, string? problem)
    {
        if (problem is not null)
            Problems.Add($"{Section}:{name}: {problem}; use at least {MinimumKeyLength} random characters (e.g. `openssl rand -base64 32`).");
        else if (hash is null)
            Problems.Add($"{Section}:{name}: KeySha256 must be 64 hexadecimal digits (e.g. `printf %s \"$KEY\" | sha256sum`).");
        else
            Clients.Add(new ApiClient(name, hash, workspace));
    }

    private static byte[]? ParseHash(string hex)
    {
        try
        {
            var bytes = Convert.FromHexString(hex.Trim());
            return bytes.Length == SHA256.HashSizeInBytes ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>A client of the REST API: its name (the author and TriggeredBy of what it does) and its key's hash.</summary>
public sealed record ApiClient(string Name, byte[] KeySha256, string? Workspace)
{
    /// <summary>Whether <paramref name="keyHash"/> is this client's, in time that does not depend on how much of it matches.</summary>
    public bool Matches(byte[] keyHash) => CryptographicOperations.FixedTimeEquals(KeySha256, keyHash);
}

/// <summary>Refuses to start with a malformed <c>Api:Keys</c> section rather than leave a client locked out silently.</summary>
internal sealed class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options) =>
        options.Problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Problems);
}
