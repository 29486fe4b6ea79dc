using Org.BouncyCastle.Bcpg.OpenPgp;
using static ConnectPlus.Tests.Blocks.Pgp.PgpRuns;

namespace ConnectPlus.Tests.Blocks.Pgp;

public sealed class PgpSettingsValidationTests
{
    [Fact]
    public void Validate_ReportsNothing_ForWorkingKeys()
    {
        Assert.Empty(Validate("pgp-decrypt", DecryptWith(PgpTestKeys.Recipient, new { verifySignature = PgpTestKeys.Signer.Public })));
        Assert.Empty(Validate("pgp-encrypt", EncryptFor(PgpTestKeys.Recipient, new { signingKey = PgpTestKeys.Signer.Private, signingPassphrase = "x" })));
    }

    [Theory]
    [InlineData("pgp-decrypt")]
    [InlineData("pgp-encrypt")]
    public void Validate_ReportsNothing_WithoutKeys_WhenDisabled(string block)
    {
        Assert.Empty(Validate(block, new { enabled = false }));
    }

    [Theory]
    [InlineData("pgp-decrypt", "privateKey", "The private key is empty.")]
    [InlineData("pgp-encrypt", "publicKey", "The public key is empty.")]
    public void Validate_AsksForTheKey_WhenEnabled(string block, string setting, string message)
    {
        var issue = Assert.Single(Validate(block, new { }));

        Assert.Equal(("block", setting, message), (issue.NodeId, issue.Setting, issue.Message));
    }

    [Fact]
    public void Validate_ReportsPrivateKey_WhenItIsAPublicKey()
    {
        var issue = Assert.Single(Validate("pgp-decrypt", new { privateKey = PgpTestKeys.Recipient.Public }));

        Assert.Equal("privateKey", issue.Setting);
        Assert.StartsWith("The private key is a public key; paste the private key instead", issue.Message, StringComparison.Ordinal);
    }

    // Where the damage falls decides which parser error BouncyCastle throws; every one must become an issue.
    [Theory]
    [InlineData(8, 4)]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    [InlineData(5, 3)]
    [InlineData(6, 1)]
    [InlineData(10, 6)]
    [InlineData(12, 2)]
    public void Validate_ReportsPrivateKey_WithoutQuotingIt_WhenItIsDamaged(int from, int count)
    {
        var lines = PgpTestKeys.Recipient.Private.Split('\n');
        var damaged = string.Join('\n', lines.Take(from).Concat(lines.Skip(from + count)));

        var issue = Assert.Single(Validate("pgp-decrypt", new { privateKey = damaged, passphrase = "x" }));

        Assert.Equal("privateKey", issue.Setting);
        Assert.StartsWith("The private key cannot be read: it is damaged", issue.Message, StringComparison.Ordinal);
        Assert.All(lines.Where(l => l.Trim().Length > 20), l => Assert.DoesNotContain(l.Trim(), issue.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ReportsPrivateKey_WhenItIsNotArmored()
    {
        var issue = Assert.Single(Validate("pgp-decrypt", new { privateKey = "my secret key text" }));

        Assert.Equal("privateKey", issue.Setting);
        Assert.StartsWith("The private key is not an armored OpenPGP private key: it must start with -----BEGIN PGP PRIVATE KEY BLOCK-----", issue.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("my secret key text", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsPrivateKey_WhenNoneOfItsKeysCanDecrypt()
    {
        var signOnly = PgpTestKeys.Generate("Signs only <s@example.com>", "pw", subkey: false, bits: 1024, flags: PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign);

        var issue = Assert.Single(Validate("pgp-decrypt", new { privateKey = signOnly.Private }));

        Assert.Equal("privateKey", issue.Setting);
        Assert.StartsWith("The private key holds no key that can decrypt", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsVerifySignature_WhenItIsNotAPublicKey()
    {
        var issue = Assert.Single(Validate("pgp-decrypt", DecryptWith(PgpTestKeys.Recipient, new { verifySignature = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxyz\n-----END PGP PUBLIC KEY BLOCK-----" })));

        Assert.Equal("verifySignature", issue.Setting);
        Assert.StartsWith("The key in 'verify signature' cannot be read", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pgp-decrypt")]
    [InlineData("pgp-encrypt")]
    public void Validate_ReportsFilePattern_WhenItIsNotARegularExpression(string block)
    {
        var issue = Assert.Single(Validate(block, new { enabled = false, filePattern = "(" }));

        Assert.Equal("filePattern", issue.Setting);
    }

    [Fact]
    public void Validate_ReportsPublicKey_WhenAPrivateKeyIsPastedThere()
    {
        var issue = Assert.Single(Validate("pgp-encrypt", new { publicKey = PgpTestKeys.Recipient.Public + PgpTestKeys.Recipient.Private }));

        Assert.Equal("publicKey", issue.Setting);
        Assert.StartsWith("The public key holds a private key, which must stay secret", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsPublicKey_WhenItCannotEncrypt()
    {
        var signOnly = PgpTestKeys.Generate("Signs only <s@example.com>", "pw", subkey: false, bits: 1024, flags: PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign);

        var issue = Assert.Single(Validate("pgp-encrypt", new { publicKey = signOnly.Public }));

        Assert.Equal("publicKey", issue.Setting);
        Assert.Equal($"The public key {TestKey.Hex(signOnly.PrimaryId)} (Signs only <s@example.com>) has no valid key that may encrypt (revoked, expired, or meant for signing only).", issue.Message);
    }

    [Fact]
    public void Validate_ReportsPublicKey_WhenItHasExpired()
    {
        var created = DateTime.UtcNow.AddDays(-30);
        var expired = PgpTestKeys.Generate("Expired <e@example.com>", "pw", bits: 1024, created: created, validFor: TimeSpan.FromDays(10));

        var issue = Assert.Single(Validate("pgp-encrypt", new { publicKey = expired.Public }));

        Assert.Equal("publicKey", issue.Setting);
        Assert.Equal($"The public key {TestKey.Hex(expired.PrimaryId)} (Expired <e@example.com>) expired on {created.AddDays(10):yyyy-MM-dd}.", issue.Message);
    }

    [Fact]
    public void Validate_ReportsSigningKey_WhenItIsAPublicKey()
    {
        var issue = Assert.Single(Validate("pgp-encrypt", EncryptFor(PgpTestKeys.Recipient, new { signingKey = PgpTestKeys.Signer.Public })));

        Assert.Equal("signingKey", issue.Setting);
        Assert.StartsWith("The signing key is a public key", issue.Message, StringComparison.Ordinal);
    }
}
