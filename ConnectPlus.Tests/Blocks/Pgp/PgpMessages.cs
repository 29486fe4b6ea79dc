using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;

namespace ConnectPlus.Tests.Blocks.Pgp;

/// <summary>OpenPGP messages the blocks would never write, made with BouncyCastle to test how decryption copes.</summary>
public static class PgpMessages
{
    private static readonly SecureRandom Random = new();

    /// <summary>
    /// A message for <paramref name="recipient"/>, signed by <paramref name="signer"/>, whose signature was made
    /// over <paramref name="signedText"/> but which carries <paramref name="carriedText"/>: a forgery with a valid integrity check.
    /// </summary>
    public static void WriteSignedOverOtherData(string path, TestKey recipient, TestKey signer, string signedText, string carriedText)
    {
        var signingKey = new PgpSecretKeyRingBundle(Decode(signer.Private)).GetSecretKey(signer.PrimaryId);
        var signature = new PgpSignatureGenerator(signingKey.PublicKey.Algorithm, HashAlgorithmTag.Sha256);
        signature.InitSign(PgpSignature.BinaryDocument, signingKey.ExtractPrivateKeyRaw(Encoding.UTF8.GetBytes(signer.Passphrase)));
        signature.Update(Encoding.UTF8.GetBytes(signedText));
        var encryption = new PgpEncryptedDataGenerator(SymmetricKeyAlgorithmTag.Aes256, true, Random);
        encryption.AddMethod(new PgpPublicKeyRingBundle(Decode(recipient.Public)).GetPublicKey(recipient.EncryptionId));
        using var file = File.Create(path);
        using var encrypted = encryption.Open(file, new byte[4096]);
        signature.GenerateOnePassVersion(false).Encode(encrypted);
        var data = Encoding.UTF8.GetBytes(carriedText);
        using (var literal = new PgpLiteralDataGenerator().Open(encrypted, PgpLiteralData.Binary, "data.csv", data.Length, DateTime.UtcNow))
            literal.Write(data);
        signature.Generate().Encode(encrypted);
    }

    /// <summary>A message encrypted with a password only (gpg --symmetric).</summary>
    public static void WritePasswordEncrypted(string path, string content, string password)
    {
        var encryption = new PgpEncryptedDataGenerator(SymmetricKeyAlgorithmTag.Aes256, true, Random);
        encryption.AddMethodUtf8(password.ToCharArray(), HashAlgorithmTag.Sha256);
        var data = Encoding.UTF8.GetBytes(content);
        using var file = File.Create(path);
        using var encrypted = encryption.Open(file, new byte[4096]);
        using var literal = new PgpLiteralDataGenerator().Open(encrypted, PgpLiteralData.Binary, "data.csv", data.Length, DateTime.UtcNow);
        literal.Write(data);
    }

    /// <summary>The packets of an encrypted message (binary or armored), up to its list of session keys.</summary>
    public static PgpEncryptedDataList ReadEncryptedDataList(string path)
    {
        using var file = File.OpenRead(path);
        var factory = new PgpObjectFactory(PgpUtilities.GetDecoderStream(file));
        var next = factory.NextPgpObject();
        while (next is PgpMarker) next = factory.NextPgpObject();
        return (PgpEncryptedDataList)next;
    }

    private static Stream Decode(string armored) => PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.ASCII.GetBytes(armored)));
}
