using System.Globalization;
using System.Text;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace ConnectPlus.Engine.Blocks.Pgp;

/// <summary>
/// Reads the armored keys pasted in PGP block settings and picks the keys to use, the way GnuPG does.
/// Problems are phrased for the user and never quote key material.
/// </summary>
internal static class PgpKeys
{
    private const string PublicBlock = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
    private const string PrivateBlock = "-----BEGIN PGP PRIVATE KEY BLOCK-----";

    private static readonly int[] SelfCertifications =
    [
        PgpSignature.DefaultCertification, PgpSignature.NoCertification, PgpSignature.CasualCertification,
        PgpSignature.PositiveCertification, PgpSignature.DirectKey,
    ];

    /// <summary>Reads private keys (one or more key rings); on failure, a problem finishing "The private key ...".</summary>
    public static (PgpSecretKeyRingBundle? Keys, string? Problem) ReadPrivate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, "is empty");
        if (!text.Contains(PrivateBlock, StringComparison.Ordinal))
        {
            return (null, text.Contains(PublicBlock, StringComparison.Ordinal)
                ? "is a public key; paste the private key instead (gpg --armor --export-secret-keys KEYID)"
                : $"is not an armored OpenPGP private key: it must start with {PrivateBlock} (gpg --armor --export-secret-keys KEYID)");
        }
        try
        {
            var keys = new PgpSecretKeyRingBundle(Blocks(text, PrivateBlock).SelectMany(b => new PgpSecretKeyRingBundle(Decode(b)).GetKeyRings()));
            return keys.Count == 0 ? (null, "holds no key") : (keys, null);
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            return (null, "cannot be read: it is damaged (check that it was pasted whole) or uses a key type Connect+ does not support");
        }
    }

    /// <summary>Reads public keys (one or more key rings); on failure, a problem finishing "The public key ...".</summary>
    public static (PgpPublicKeyRingBundle? Keys, string? Problem) ReadPublic(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, "is empty");
        // This setting is not kept secret: a private key pasted here must be taken out, not used.
        if (text.Contains(PrivateBlock, StringComparison.Ordinal))
            return (null, "holds a private key, which must stay secret: paste only the public key (gpg --armor --export KEYID)");
        if (!text.Contains(PublicBlock, StringComparison.Ordinal))
            return (null, $"is not an armored OpenPGP public key: it must start with {PublicBlock} (gpg --armor --export KEYID)");
        try
        {
            var keys = new PgpPublicKeyRingBundle(Blocks(text, PublicBlock).SelectMany(b => new PgpPublicKeyRingBundle(Decode(b)).GetKeyRings()));
            return keys.Count == 0 ? (null, "holds no key") : (keys, null);
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            return (null, "cannot be read: it is damaged (check that it was pasted whole) or uses a key type Connect+ does not support");
        }
    }

    /// <summary>
    /// The key to encrypt to in each key ring: its newest valid encryption subkey, else its primary key
    /// when that may encrypt (what GnuPG picks). A ring without one is a problem.
    /// </summary>
    public static (List<PgpPublicKey> Keys, string? Problem) EncryptionKeys(PgpPublicKeyRingBundle bundle, DateTime now)
    {
        var chosen = new List<PgpPublicKey>();
        foreach (var ring in bundle.GetKeyRings())
        {
            var primary = ring.GetPublicKey();
            if (Unusable(primary, primary, now) is { } primaryProblem) return ([], $"{Describe(primary)} {primaryProblem}");
            var key = Pick(ring.GetPublicKeys(), primary, now, CanEncrypt);
            if (key is null) return ([], $"{Describe(primary)} has no valid key that may encrypt (revoked, expired, or meant for signing only)");
            chosen.Add(key);
        }
        return (chosen, null);
    }

    /// <summary>The key that signs: the newest valid signing subkey holding its private part, else the primary key.</summary>
    public static (PgpSecretKey? Key, string? Problem) SigningKey(PgpSecretKeyRingBundle bundle, DateTime now)
    {
        foreach (var ring in bundle.GetKeyRings())
        {
            var primary = ring.GetPublicKey();
            if (Unusable(primary, primary, now) is not null) continue;
            var usable = ring.GetSecretKeys().Where(k => !k.IsPrivateKeyEmpty).Select(k => k.PublicKey);
            if (Pick(usable, primary, now, CanSign) is { } key) return (ring.GetSecretKey(key.KeyId), null);
        }
        return (null, "has no valid key that may sign with its private part present (revoked, expired, for encryption only, or exported without it)");
    }

    /// <summary>Whether the private keys hold at least one key that can decrypt (its private part present).</summary>
    public static bool CanDecrypt(PgpSecretKeyRingBundle bundle) =>
        bundle.GetKeyRings().SelectMany(r => r.GetSecretKeys()).Any(k => !k.IsPrivateKeyEmpty && CanEncrypt(k.PublicKey));

    /// <summary>Unlocks a private key; GnuPG encodes passphrases as UTF-8, older tools as one byte per character.</summary>
    /// <exception cref="PgpException">The passphrase is wrong.</exception>
    public static PgpPrivateKey Unlock(PgpSecretKey key, string? passphrase)
    {
        if (key.S2kUsage == 0) return key.ExtractPrivateKeyRaw(null);
        var utf8 = Encoding.UTF8.GetBytes(passphrase ?? "");
        try
        {
            return key.ExtractPrivateKeyRaw(utf8);
        }
        catch (PgpException) when (passphrase is not null && !Ascii.IsValid(passphrase))
        {
            return key.ExtractPrivateKey(passphrase.ToCharArray());
        }
    }

    /// <summary>A key id the way GnuPG shows it (16 hex digits).</summary>
    public static string Id(long keyId) => keyId.ToString("X16", CultureInfo.InvariantCulture);

    /// <summary>The ids of the keys that decrypt, for messages: "A (subkeys B, C)".</summary>
    public static string Ids(PgpSecretKeyRingBundle bundle) => string.Join("; ", bundle.GetKeyRings().Select(ring =>
    {
        var subkeys = ring.GetSecretKeys().Where(k => !k.IsMasterKey).Select(k => Id(k.KeyId)).ToList();
        var primary = Id(ring.GetSecretKey().KeyId);
        return subkeys.Count == 0 ? primary : $"{primary} (subkeys {string.Join(", ", subkeys)})";
    }));

    /// <summary>"0123456789ABCDEF (Name &lt;mail&gt;)": names a key by id and first user id.</summary>
    public static string Describe(PgpPublicKey key)
    {
        var user = key.GetUserIds().FirstOrDefault();
        return user is null ? Id(key.KeyId) : $"{Id(key.KeyId)} ({user})";
    }

    /// <summary>The armored blocks of one kind in the text (keys pasted one after the other), each to be read on its own.</summary>
    private static IEnumerable<string> Blocks(string text, string kind)
    {
        var starts = new List<int>();
        for (var at = text.IndexOf("-----BEGIN PGP ", StringComparison.Ordinal); at >= 0; at = text.IndexOf("-----BEGIN PGP ", at + 1, StringComparison.Ordinal))
            starts.Add(at);
        return starts.Select((start, i) => text[start..(i + 1 < starts.Count ? starts[i + 1] : text.Length)])
            .Where(block => block.StartsWith(kind, StringComparison.Ordinal));
    }

    private static Stream Decode(string block) =>
        PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.UTF8.GetBytes(block.Trim())));

    // Damaged key text makes BouncyCastle's parser throw whatever the garbage happens to look like,
    // including packet versions it does not know.
    private static bool IsUnreadable(Exception ex) =>
        ex is PgpException or IOException or ArgumentException or InvalidOperationException or NotSupportedException
            or Org.BouncyCastle.Bcpg.UnsupportedPacketVersionException or IndexOutOfRangeException or OverflowException;

    private static PgpPublicKey? Pick(IEnumerable<PgpPublicKey> keys, PgpPublicKey primary, DateTime now, Func<PgpPublicKey, bool> capable)
    {
        var valid = keys.Where(k => capable(k) && Unusable(k, primary, now) is null).ToList();
        return valid.Where(k => !k.IsMasterKey).MaxBy(k => k.CreationTime) ?? valid.FirstOrDefault(k => k.IsMasterKey);
    }

    /// <summary>Why a key cannot be used now (it or its primary key revoked or expired), or null.</summary>
    private static string? Unusable(PgpPublicKey key, PgpPublicKey primary, DateTime now)
    {
        if (key.HasRevocation() || primary.HasRevocation()) return "is revoked";
        DateTime?[] expiries = [Expiry(key), Expiry(primary)];
        var expired = expiries.Where(e => e <= now).Min();
        return expired is { } date ? $"expired on {date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}" : null;
    }

    private static DateTime? Expiry(PgpPublicKey key) =>
        key.GetValidSeconds() is > 0 and var seconds ? key.CreationTime.AddSeconds(seconds) : null;

    private static bool CanEncrypt(PgpPublicKey key) =>
        Flags(key) is { } flags ? (flags & (PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage)) != 0 : key.IsEncryptionKey;

    private static bool CanSign(PgpPublicKey key) =>
        Flags(key) is { } flags ? (flags & PgpKeyFlags.CanSign) != 0 : IsSigningAlgorithm(key);

    private static bool IsSigningAlgorithm(PgpPublicKey key) => key.Algorithm is
        Org.BouncyCastle.Bcpg.PublicKeyAlgorithmTag.RsaGeneral or Org.BouncyCastle.Bcpg.PublicKeyAlgorithmTag.RsaSign
        or Org.BouncyCastle.Bcpg.PublicKeyAlgorithmTag.Dsa or Org.BouncyCastle.Bcpg.PublicKeyAlgorithmTag.ECDsa
        or Org.BouncyCastle.Bcpg.PublicKeyAlgorithmTag.EdDsa_Legacy or Org.BouncyCastle.Bcpg.PublicKeyAlgorithmTag.Ed25519
        or Org.BouncyCastle.Bcpg.PublicKeyAlgorithmTag.Ed448;

    /// <summary>The key flags of the newest self-signature that states them (binding signature for subkeys), or null when none does.</summary>
    private static int? Flags(PgpPublicKey key)
    {
        var signatures = key.IsMasterKey
            ? key.GetSignatures().Where(s => s.KeyId == key.KeyId && SelfCertifications.Contains(s.SignatureType))
            : key.GetSignaturesOfType(PgpSignature.SubkeyBinding);
        var stated = signatures
            .Where(s => s.HasSubpackets && s.GetHashedSubPackets()?.HasSubpacket(Org.BouncyCastle.Bcpg.SignatureSubpacketTag.KeyFlags) == true)
            .MaxBy(s => s.CreationTime);
        return stated?.GetHashedSubPackets().GetKeyFlags();
    }
}
