using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;
using Org.BouncyCastle.Bcpg.OpenPgp;
using static ConnectPlus.Tests.Blocks.Pgp.PgpRuns;

namespace ConnectPlus.Tests.Blocks.Pgp;

public sealed class PgpEncryptBlockTests : IDisposable
{
    private const string Csv = "id,name\n1,Ana\n2,Bó\n";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_WritesBinaryPgp_ForTheEncryptionSubkey_WithIntegrityCheck()
    {
        var plain = _temp.Write("members.csv", Csv);
        var item = FileItem.FromLocalFile(plain, "out/members.csv", "export.zip");

        var result = await BlockHarness.For("pgp-encrypt", EncryptFor(PgpTestKeys.Recipient)).WithFiles("files", item).RunAsync();

        result.AssertSucceeded();
        var file = Assert.Single(result.Files("files"));
        Assert.Equal("members.csv.pgp", file.Item.Name);
        Assert.Equal("out/members.csv.pgp", file.Item.SourcePath);
        Assert.Equal("export.zip", file.Item.OriginName);
        Assert.True((File.ReadAllBytes(file.CopyPath)[0] & 0x80) != 0, "binary OpenPGP starts with a packet tag");
        var list = PgpMessages.ReadEncryptedDataList(file.CopyPath);
        var data = Assert.IsType<PgpPublicKeyEncryptedData>(Assert.Single(list.GetEncryptedDataObjects()));
        Assert.Equal(PgpTestKeys.Recipient.EncryptionId, data.KeyId);
        Assert.True(data.IsIntegrityProtected());
    }

    [Fact]
    public async Task Run_WritesArmoredAsc_WithoutAVersionHeader_WhenArmorIsOn()
    {
        var plain = _temp.Write("members.csv", Csv);

        var result = await BlockHarness.For("pgp-encrypt", EncryptFor(PgpTestKeys.Recipient, new { armor = true })).WithLocalFiles("files", plain).RunAsync();

        result.AssertSucceeded();
        var file = Assert.Single(result.Files("files"));
        Assert.Equal("members.csv.asc", file.Item.Name);
        var text = file.ReadText();
        Assert.StartsWith("-----BEGIN PGP MESSAGE-----", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Version:", text, StringComparison.Ordinal);
        Assert.EndsWith("-----END PGP MESSAGE-----\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LeavesOutTheIntegrityCheck_WhenIntegrityCheckIsOff()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient, new { integrityCheck = false }));

        Assert.False(PgpMessages.ReadEncryptedDataList(encrypted).GetEncryptedDataObjects().Single().IsIntegrityProtected());
    }

    [Theory]
    [InlineData("zip", true)]
    [InlineData("zlib", true)]
    [InlineData("none", false)]
    public async Task Run_CompressesAsAsked(string compress, bool smaller)
    {
        var repetitive = _temp.Write("big.csv", string.Concat(Enumerable.Repeat("1,the same row again\n", 20_000)));

        var encrypted = await EncryptAsync(_temp, repetitive, EncryptFor(PgpTestKeys.Recipient, new { compress }));

        Assert.Equal(smaller, new FileInfo(encrypted).Length < new FileInfo(repetitive).Length / 10);
    }

    [Fact]
    public async Task Run_EncryptsForEveryPastedKey()
    {
        var keys = PgpTestKeys.Recipient.Public + "\n" + PgpTestKeys.Other.Public;
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), new { publicKey = keys });

        var byRecipient = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);
        var byOther = await DecryptAsync(DecryptWith(PgpTestKeys.Other), encrypted);

        Assert.Equal(Csv, Assert.Single(byRecipient.AssertSucceeded().Files("files")).ReadText());
        Assert.Equal(Csv, Assert.Single(byOther.AssertSucceeded().Files("files")).ReadText());
    }

    [Fact]
    public async Task Run_EncryptsOnlyMatchingFiles_AndPassesOthersThrough()
    {
        var csv = FileItem.FromLocalFile(_temp.Write("a.csv", Csv));
        var text = FileItem.FromLocalFile(_temp.Write("readme.txt", "hello"));

        var result = await BlockHarness.For("pgp-encrypt", EncryptFor(PgpTestKeys.Recipient, new { filePattern = @"\.csv$" }))
            .WithFiles("files", csv, text).RunAsync();

        result.AssertSucceeded();
        var files = result.Files("files");
        Assert.Equal(["a.csv.pgp", "readme.txt"], files.Select(f => f.Item.Name));
        Assert.Same(text, files[1].Item);
    }

    [Fact]
    public async Task Run_PassesEveryFileThrough_WithoutAKey_WhenDisabled()
    {
        var item = FileItem.FromLocalFile(_temp.Write("a.csv", Csv));

        var result = await BlockHarness.For("pgp-encrypt", new { enabled = false }).WithFiles("files", item).RunAsync();

        result.AssertSucceeded();
        Assert.Same(item, Assert.Single(result.Files("files")).Item);
        Assert.Contains(result.Run.Log, l => l.Message.Contains("Encryption is off ('enabled')", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_EncryptsAnEmptyFile()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("empty.csv", ""), EncryptFor(PgpTestKeys.Recipient));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        Assert.Equal(0, Assert.Single(result.AssertSucceeded().Files("files")).Item.Size);
    }

    [Fact]
    public async Task Run_Fails_NamingSigningPassphrase_WithoutShowingIt_WhenItIsWrong()
    {
        const string wrong = "wrong-signing-pass-77";
        var harness = BlockHarness.For("pgp-encrypt", EncryptFor(PgpTestKeys.Recipient, new { signingKey = PgpTestKeys.Signer.Private, signingPassphrase = wrong }))
            .WithLocalFiles("files", _temp.Write("a.csv", Csv));

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"The passphrase in 'signingPassphrase' does not unlock the signing key {TestKey.Hex(PgpTestKeys.Signer.PrimaryId)}", result.Run.Error, StringComparison.Ordinal);
        Assert.All(result.Run.Log, l => Assert.DoesNotContain(wrong, l.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Signs_WithAKeyThatCanOnlySign()
    {
        var signer = PgpTestKeys.Generate("Signs only <s@example.com>", "pw", subkey: false, bits: 1024, flags: PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign);
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient, new { signingKey = signer.Private, signingPassphrase = "pw" }));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient, new { verifySignature = signer.Public }), encrypted);

        result.AssertSucceeded();
        Assert.Contains(result.Run.Log, l => l.Message.Contains($"signature by key {TestKey.Hex(signer.PrimaryId)} verified", StringComparison.Ordinal));
    }
}
