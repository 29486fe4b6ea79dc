using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;
using static ConnectPlus.Tests.Blocks.Pgp.PgpRuns;

namespace ConnectPlus.Tests.Blocks.Pgp;

/// <summary>The blocks against GnuPG, which brands use on the other side.</summary>
public sealed class PgpGpgInteropTests : IDisposable
{
    private const string Csv = "id,name\n1,Ana\n2,Bó\n";
    private readonly Gpg _gpg = new();
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        _gpg.Dispose();
        _temp.Dispose();
    }

    private static string Recipient => TestKey.Hex(PgpTestKeys.Recipient.PrimaryId);

    [Theory]
    [InlineData("members.csv.gpg")]
    [InlineData("members.csv.asc", "--armor")]
    [InlineData("members.csv.pgp", "--compress-algo", "none")]
    [InlineData("members.csv.pgp", "--throw-keyids")]
    public async Task Decrypt_ReadsWhatGpgEncrypted(string name, params string[] options)
    {
        await _gpg.ImportAsync(PgpTestKeys.Recipient.Public);
        var plain = WriteRandom(_temp, "members.csv", 2_000_000);
        var encrypted = _temp[name];
        await _gpg.RunAsync([.. options, "--recipient", Recipient, "--output", encrypted, "--encrypt", plain]);

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        result.AssertSucceeded();
        var file = Assert.Single(result.Files("files"));
        Assert.Equal("members.csv", file.Item.Name);
        Assert.Equal(Sha256(plain), Sha256(file.CopyPath));
    }

    [Theory]
    [InlineData]
    [InlineData("--textmode")]
    public async Task Decrypt_VerifiesAGpgSignature_GivingTheBytesGpgGives(params string[] options)
    {
        await _gpg.ImportAsync(PgpTestKeys.Recipient.Public);
        await _gpg.ImportAsync(PgpTestKeys.Signer.Private, PgpTestKeys.Signer.Passphrase);
        var plain = _temp.Write("members.csv", Csv);
        var encrypted = _temp["members.csv.gpg"];
        await _gpg.RunAsync([.. options, "--passphrase", PgpTestKeys.Signer.Passphrase, "--local-user", TestKey.Hex(PgpTestKeys.Signer.PrimaryId),
            "--recipient", Recipient, "--output", encrypted, "--sign", "--encrypt", plain]);

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient, new { verifySignature = PgpTestKeys.Signer.Public }), encrypted);

        result.AssertSucceeded();
        Assert.Contains(result.Run.Log, l => l.Message.Contains($"signature by key {TestKey.Hex(PgpTestKeys.Signer.PrimaryId)} verified", StringComparison.Ordinal));
        await _gpg.ImportAsync(PgpTestKeys.Recipient.Private, PgpTestKeys.Recipient.Passphrase);
        var byGpg = _temp["by-gpg.csv"];
        await _gpg.RunAsync("--passphrase", PgpTestKeys.Recipient.Passphrase, "--output", byGpg, "--decrypt", encrypted);
        Assert.Equal(await File.ReadAllBytesAsync(byGpg), await File.ReadAllBytesAsync(Assert.Single(result.Files("files")).CopyPath));
    }

    [Theory]
    [InlineData("gpg pass")]
    [InlineData("")]
    public async Task Decrypt_UsesAPrivateKeyExportedFromGpg(string passphrase)
    {
        // GnuPG's modern keys: Ed25519 primary key, Curve25519 encryption subkey, GnuPG's own key protection (or none).
        await _gpg.RunAsync("--passphrase", passphrase, "--quick-generate-key", "Brand <brand@example.com>", "future-default", "default", "never");
        var privateKey = await _gpg.RunAsync("--passphrase", passphrase, "--armor", "--export-secret-keys", "brand@example.com");
        var plain = _temp.Write("members.csv", Csv);
        var encrypted = _temp["members.csv.gpg"];
        await _gpg.RunAsync("--recipient", "brand@example.com", "--output", encrypted, "--encrypt", plain);

        var result = await DecryptAsync(new { privateKey, passphrase }, encrypted);

        result.AssertSucceeded();
        Assert.Equal(Csv, Assert.Single(result.Files("files")).ReadText());
    }

    [Fact]
    public async Task Encrypt_WritesWhatGpgDecrypts_AndVerifies()
    {
        await _gpg.ImportAsync(PgpTestKeys.Recipient.Private, PgpTestKeys.Recipient.Passphrase);
        await _gpg.ImportAsync(PgpTestKeys.Signer.Public);
        var plain = WriteRandom(_temp, "members.csv", 1_000_000);
        var encrypted = await EncryptAsync(_temp, plain, EncryptFor(PgpTestKeys.Recipient,
            new { armor = true, signingKey = PgpTestKeys.Signer.Private, signingPassphrase = PgpTestKeys.Signer.Passphrase }));
        var decrypted = _temp["by-gpg.csv"];

        var status = await _gpg.RunAsync("--status-fd", "1", "--passphrase", PgpTestKeys.Recipient.Passphrase, "--output", decrypted, "--decrypt", encrypted);

        Assert.Equal(Sha256(plain), Sha256(decrypted));
        Assert.Contains($"[GNUPG:] GOODSIG {TestKey.Hex(PgpTestKeys.Signer.PrimaryId)} Sender <sender@example.com>", status, StringComparison.Ordinal);
        Assert.Contains("[GNUPG:] GOODMDC", status, StringComparison.Ordinal);
        Assert.Contains("[GNUPG:] PLAINTEXT 62 ", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Encrypt_WithoutIntegrityCheck_IsRefusedByGpg_AsTheSettingSays()
    {
        await _gpg.ImportAsync(PgpTestKeys.Recipient.Private, PgpTestKeys.Recipient.Passphrase);
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient, new { integrityCheck = false }));

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _gpg.RunAsync("--passphrase", PgpTestKeys.Recipient.Passphrase, "--output", _temp["out.csv"], "--decrypt", encrypted));

        Assert.Contains("integrity", refusal.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Decrypt_Fails_WhenGpgEncryptedWithAPasswordOnly()
    {
        var plain = _temp.Write("members.csv", Csv);
        var encrypted = _temp["members.csv.gpg"];
        await _gpg.RunAsync("--passphrase", "shared", "--output", encrypted, "--symmetric", plain);

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("is encrypted with a password, not for a public key", result.Run.Error, StringComparison.Ordinal);
    }
}
