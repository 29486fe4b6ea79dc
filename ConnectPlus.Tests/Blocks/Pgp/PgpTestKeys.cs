using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace ConnectPlus.Tests.Blocks.Pgp;

/// <summary>A key made for the tests: armored private and public parts, its passphrase and ids.</summary>
public sealed record TestKey(string Private, string Public, string Passphrase, long PrimaryId, long EncryptionId)
{
    /// <summary>The id as GnuPG and the blocks' messages show it.</summary>
    public static string Hex(long id) => id.ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// OpenPGP keys generated once per test run with BouncyCastle (RSA, shaped like GnuPG's: a primary key
/// that signs and certifies, and a subkey that encrypts). Passphrases are UTF-8, as GnuPG uses them.
/// </summary>
public static class PgpTestKeys
{
    private static readonly SecureRandom Random = new();
    private static readonly Lazy<TestKey> RecipientKey = new(() => Generate("Recipient <recipient@example.com>", "correct horse ✓ battery"));
    private static readonly Lazy<TestKey> OtherKey = new(() => Generate("Other <other@example.com>", "other secret", subkey: false));
    private static readonly Lazy<TestKey> SignerKey = new(() => Generate("Sender <sender@example.com>", "sender secret", subkey: false));

    /// <summary>The brand's key: files are encrypted for it and decrypted with it.</summary>
    public static TestKey Recipient => RecipientKey.Value;

    /// <summary>Another party's key (one RSA key that signs and encrypts).</summary>
    public static TestKey Other => OtherKey.Value;

    /// <summary>A sender's key that signs files (one RSA key that signs and encrypts).</summary>
    public static TestKey Signer => SignerKey.Value;

    /// <summary>
    /// Generates a key. With a subkey, the primary key signs and the subkey encrypts; without, the one key
    /// does what <paramref name="flags"/> says (default: everything).
    /// </summary>
    public static TestKey Generate(string user, string passphrase, bool subkey = true, int? flags = null, int bits = 2048,
        DateTime? created = null, TimeSpan? validFor = null)
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(0x10001), Random, bits, 80));
        var time = created ?? DateTime.UtcNow.AddMinutes(-1);
        var all = PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign | PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage;
        var primary = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, generator.GenerateKeyPair(), time);
        var primaryFlags = flags ?? (subkey ? PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign : all);
        var rings = new PgpKeyRingGenerator(PgpSignature.PositiveCertification, primary, user, SymmetricKeyAlgorithmTag.Aes256,
            HashAlgorithmTag.Sha256, Encoding.UTF8.GetBytes(passphrase), true, Subpackets(primaryFlags, validFor), null, Random);
        long encryptionId = primary.KeyId;
        if (subkey)
        {
            var encryption = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, generator.GenerateKeyPair(), time);
            rings.AddSubKey(encryption, Subpackets(PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage, validFor), null);
            encryptionId = encryption.KeyId;
        }
        return new TestKey(
            Armor(rings.GenerateSecretKeyRing().Encode),
            Armor(rings.GeneratePublicKeyRing().Encode),
            passphrase, primary.KeyId, encryptionId);
    }

    /// <summary>Armors what <paramref name="encode"/> writes.</summary>
    public static string Armor(Action<Stream> encode)
    {
        var buffer = new MemoryStream();
        using (var armor = new ArmoredOutputStream(buffer)) encode(armor);
        return Encoding.ASCII.GetString(buffer.ToArray());
    }

    private static PgpSignatureSubpacketVector Subpackets(int flags, TimeSpan? validFor)
    {
        var subpackets = new PgpSignatureSubpacketGenerator();
        subpackets.SetKeyFlags(false, flags);
        if (validFor is { } valid) subpackets.SetKeyExpirationTime(false, (long)valid.TotalSeconds);
        return subpackets.Generate();
    }
}
