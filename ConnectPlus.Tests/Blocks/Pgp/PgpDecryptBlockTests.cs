using System.Diagnostics;
using System.Text;
using ConnectPlus.Engine.Blocks.Pgp;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Harness;
using Xunit.Abstractions;
using static ConnectPlus.Tests.Blocks.Pgp.PgpRuns;

namespace ConnectPlus.Tests.Blocks.Pgp;

public sealed class PgpDecryptBlockTests(ITestOutputHelper output) : IDisposable
{
    private const string Csv = "id,name\n1,Ana\n2,Bó\n";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_DecryptsText_ToTheNameWithoutExtension_KeepingOriginAndTime()
    {
        var plain = _temp.Write("members.csv", Csv);
        var encrypted = await EncryptAsync(_temp, plain, EncryptFor(PgpTestKeys.Recipient));
        var modified = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(encrypted, modified);
        var item = FileItem.FromLocalFile(encrypted, "in/members.csv.pgp", "export.zip");

        var result = await BlockHarness.For("pgp-decrypt", DecryptWith(PgpTestKeys.Recipient)).WithFiles("files", item).RunAsync();

        result.AssertSucceeded();
        var file = Assert.Single(result.Files("files"));
        Assert.Equal(Csv, file.ReadText());
        Assert.Equal("members.csv", file.Item.Name);
        Assert.Equal("in/members.csv", file.Item.SourcePath);
        Assert.Equal("export.zip", file.Item.OriginName);
        Assert.Equal(modified, file.Item.Modified);
        Assert.Equal("members.csv", file.Item.Attributes[PgpDecryptBlock.StoredNameAttribute]);
        Assert.Contains(result.Run.Log, l => l.Message.Contains("Decrypted 'in/members.csv.pgp' to 'members.csv'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_SetsOriginNameToTheEncryptedFilesName_WhenItHasNone()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient));
        var item = new FileItem("a.csv.pgp", _ => ValueTask.FromResult<Stream>(File.OpenRead(encrypted)));

        var result = await BlockHarness.For("pgp-decrypt", DecryptWith(PgpTestKeys.Recipient)).WithFiles("files", item).RunAsync();

        result.AssertSucceeded();
        Assert.Equal("a.csv.pgp", Assert.Single(result.Files("files")).Item.OriginName);
    }

    [Theory]
    [InlineData(false, "zip")]
    [InlineData(true, "zip")]
    [InlineData(false, "zlib")]
    [InlineData(true, "none")]
    [InlineData(false, "none")]
    public async Task Run_RoundTripsBinaryData_ByteForByte(bool armor, string compress)
    {
        var plain = WriteRandom(_temp, "data.bin", 300_000);
        var encrypted = await EncryptAsync(_temp, plain, EncryptFor(PgpTestKeys.Recipient, new { armor, compress }));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        result.AssertSucceeded();
        var file = Assert.Single(result.Files("files"));
        Assert.Equal("data.bin", file.Item.Attributes[PgpDecryptBlock.StoredNameAttribute]);
        Assert.Equal(Sha256(plain), Sha256(file.CopyPath));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_StreamsALargeFile_ByteForByte(bool armor)
    {
        var plain = WriteRandom(_temp, "large.bin", 20L << 20);
        var encrypted = await EncryptAsync(_temp, plain, EncryptFor(PgpTestKeys.Recipient, new { armor, compress = "none" }));
        var clock = Stopwatch.StartNew();

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        output.WriteLine($"20 MB (armor {armor}) decrypted in {clock.ElapsedMilliseconds} ms including the harness copy");
        result.AssertSucceeded();
        using (result.Folder)
        {
            var file = Assert.Single(result.Files("files"));
            Assert.Equal(20L << 20, file.Item.Size);
            Assert.Equal(Sha256(plain), Sha256(file.CopyPath));
        }
    }

    [Fact]
    public async Task Run_DecryptsEachFile_WhenTwoGiveTheSameName()
    {
        var first = await EncryptAsync(_temp, _temp.Write("one/a.csv", "first"), EncryptFor(PgpTestKeys.Recipient));
        var second = await EncryptAsync(_temp, _temp.Write("two/a.csv", "second!"), EncryptFor(PgpTestKeys.Recipient, new { armor = true }));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), first, second);

        result.AssertSucceeded();
        var items = result.Files("files").Select(f => f.Item).ToList();
        Assert.Equal(["a.csv", "a.csv"], items.Select(i => i.Name));
        Assert.NotEqual(items[0].LocalPath, items[1].LocalPath);
        // Sizes read from disk when each file was passed on: neither overwrote the other.
        Assert.Equal([5L, 7L], items.Select(i => i.Size!.Value).Order());
    }

    [Theory]
    [InlineData("members.csv.pgp", null, "members.csv")]
    [InlineData("MEMBERS.CSV.GPG", "other.csv", "MEMBERS.CSV")]
    [InlineData("members.csv.asc", "", "members.csv")]
    [InlineData("export.bin", "members.csv", "members.csv")]
    [InlineData("export.bin", "../../etc/passwd", "export.bin")]
    [InlineData("export.bin", @"C:\data\members.csv", "export.bin")]
    [InlineData("export.bin", "_CONSOLE", "export.bin")]
    [InlineData("export.bin", "", "export.bin")]
    [InlineData(".pgp", "members.csv", "members.csv")]
    public void OutputName_DropsThePgpExtension_ElseTrustsOnlyAPlainStoredName(string name, string? stored, string expected)
    {
        Assert.Equal(expected, PgpDecryptBlock.OutputName(name, stored));
    }

    [Fact]
    public async Task Run_PassesNonMatchingFilesThroughUnchanged()
    {
        var csv = _temp.Write("plain.csv", Csv);
        var encrypted = await EncryptAsync(_temp, _temp.Write("secret.csv", Csv), EncryptFor(PgpTestKeys.Recipient));
        var csvItem = FileItem.FromLocalFile(csv);
        var harness = BlockHarness.For("pgp-decrypt", DecryptWith(PgpTestKeys.Recipient)).WithFiles("files", csvItem, FileItem.FromLocalFile(encrypted));

        var result = await harness.RunAsync();

        result.AssertSucceeded();
        var files = result.Files("files");
        Assert.Same(csvItem, files[0].Item);
        Assert.EndsWith("secret.csv", files[1].Item.Name, StringComparison.Ordinal);
        Assert.Equal(Csv, files[1].ReadText());
    }

    [Fact]
    public async Task Run_PassesEveryFileThrough_WithoutKeys_WhenDisabled()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient));
        var item = FileItem.FromLocalFile(encrypted);

        var result = await BlockHarness.For("pgp-decrypt", new { enabled = false }).WithFiles("files", item).RunAsync();

        result.AssertSucceeded();
        Assert.Same(item, Assert.Single(result.Files("files")).Item);
        Assert.Contains(result.Run.Log, l => l.Message.Contains("Decryption is off ('enabled'): 1 files passed on unchanged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Fails_NamingTheKeyIds_WhenFileIsForAnotherKey()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Other));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"a.csv.pgp' is encrypted for key {TestKey.Hex(PgpTestKeys.Other.EncryptionId)}, but the private key in 'privateKey' is {TestKey.Hex(PgpTestKeys.Recipient.PrimaryId)} (subkeys {TestKey.Hex(PgpTestKeys.Recipient.EncryptionId)})", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_Fails_WithoutShowingSecrets_WhenPassphraseIsWrong()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient));
        const string wrong = "not-the-passphrase-42";

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient, new { passphrase = wrong }), encrypted);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"The passphrase in 'passphrase' does not unlock the private key {TestKey.Hex(PgpTestKeys.Recipient.EncryptionId)}, needed for '", result.Run.Error, StringComparison.Ordinal);
        AssertNoSecretIn(result, wrong, PgpTestKeys.Recipient);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_Fails_AskingForThePassphrase_WhenItIsEmpty()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient, new { passphrase = "" }), encrypted);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("is protected by a passphrase. Give it in 'passphrase'.", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KeepsSecretsOutOfTheLog_WhenItSucceeds()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        result.AssertSucceeded();
        AssertNoSecretIn(result, PgpTestKeys.Recipient.Passphrase, PgpTestKeys.Recipient);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("zip")]
    public async Task Run_FailsIntegrityCheck_AndPassesNothing_WhenAByteIsFlipped(string compress)
    {
        var plain = WriteRandom(_temp, "data.bin", 200_000);
        var encrypted = await EncryptAsync(_temp, plain, EncryptFor(PgpTestKeys.Recipient, new { compress }));
        var bytes = await File.ReadAllBytesAsync(encrypted);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(encrypted, bytes);

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"{Path.GetFileName(encrypted)}' failed integrity check — the file is damaged or was tampered with", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_FailsIntegrityCheck_WhenTheEndIsCutOff()
    {
        var encrypted = await EncryptAsync(_temp, WriteRandom(_temp, "data.bin", 100_000), EncryptFor(PgpTestKeys.Recipient, new { compress = "none" }));
        var bytes = await File.ReadAllBytesAsync(encrypted);
        await File.WriteAllBytesAsync(encrypted, bytes[..^10]);

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("failed integrity check", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ReportsAReadFailure_NotDamage_WhenTheSourceFailsMidway()
    {
        var encrypted = await EncryptAsync(_temp, WriteRandom(_temp, "data.bin", 500_000), EncryptFor(PgpTestKeys.Recipient));
        var item = new FileItem("data.bin.pgp", _ => ValueTask.FromResult<Stream>(new FailingStream(File.OpenRead(encrypted), failAfter: 200_000)));

        var result = await BlockHarness.For("pgp-decrypt", DecryptWith(PgpTestKeys.Recipient)).WithFiles("files", item).RunAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("data.bin.pgp' could not be read: connection reset by the test", result.Run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("integrity", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DecryptsWithAWarning_WhenFileHasNoIntegrityCheck()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("old.csv", Csv), EncryptFor(PgpTestKeys.Recipient, new { integrityCheck = false }));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        result.AssertSucceeded();
        Assert.Equal(Csv, Assert.Single(result.Files("files")).ReadText());
        Assert.Contains(result.Run.Log, l => l.Level == RunLogLevel.Warning && l.Message.Contains("has no integrity check", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("data.csv.pgp", "id,name\n1,Ana\n", "it holds no OpenPGP data")]
    [InlineData("data.csv.pgp", "", "it is empty")]
    public async Task Run_Fails_NamingFilePattern_WhenFileIsNotEncrypted(string name, string content, string reason)
    {
        var path = _temp.Write(name, content);

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), path);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"data.csv.pgp' is not a PGP-encrypted file: {reason}", result.Run.Error, StringComparison.Ordinal);
        Assert.Contains("'filePattern'", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Fails_WhenFileIsAKeyNotAMessage()
    {
        var path = _temp.Write("key.asc", PgpTestKeys.Other.Public);

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), path);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("key.asc' is not a PGP-encrypted file: it holds a key.", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ReadsArmor_AfterAByteOrderMark()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient, new { armor = true }));
        var text = await File.ReadAllTextAsync(encrypted);
        await File.WriteAllTextAsync(encrypted, "\r\n" + text.Replace("\n", "\r\n", StringComparison.Ordinal), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        result.AssertSucceeded();
        Assert.Equal(Csv, Assert.Single(result.Files("files")).ReadText());
    }

    [Fact]
    public async Task Run_VerifiesTheSignature_WhenVerifySignatureIsSet()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient,
            new { signingKey = PgpTestKeys.Signer.Private, signingPassphrase = PgpTestKeys.Signer.Passphrase }));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient, new { verifySignature = PgpTestKeys.Signer.Public }), encrypted);

        result.AssertSucceeded();
        Assert.Equal(Csv, Assert.Single(result.Files("files")).ReadText());
        Assert.Contains(result.Run.Log, l => l.Message.Contains($"signature by key {TestKey.Hex(PgpTestKeys.Signer.PrimaryId)} verified", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_NotesButDoesNotCheckASignature_WhenVerifySignatureIsEmpty()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient,
            new { signingKey = PgpTestKeys.Signer.Private, signingPassphrase = PgpTestKeys.Signer.Passphrase }));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), encrypted);

        result.AssertSucceeded();
        Assert.Contains(result.Run.Log, l => l.Message.Contains("not checked ('verifySignature' is empty)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Fails_WhenVerifySignatureIsSetAndFileIsNotSigned()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient, new { verifySignature = PgpTestKeys.Signer.Public }), encrypted);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"a.csv.pgp' is not signed, but 'verifySignature' asks for a signature by key {TestKey.Hex(PgpTestKeys.Signer.PrimaryId)} (Sender <sender@example.com>)", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_Fails_WhenFileIsSignedByAnotherKey()
    {
        var encrypted = await EncryptAsync(_temp, _temp.Write("a.csv", Csv), EncryptFor(PgpTestKeys.Recipient,
            new { signingKey = PgpTestKeys.Other.Private, signingPassphrase = PgpTestKeys.Other.Passphrase }));

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient, new { verifySignature = PgpTestKeys.Signer.Public }), encrypted);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"a.csv.pgp' is signed by key {TestKey.Hex(PgpTestKeys.Other.PrimaryId)}, not by the key in 'verifySignature'", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Fails_AndPassesNothing_WhenSignatureDoesNotMatchTheContent()
    {
        var path = _temp["forged.csv.pgp"];
        PgpMessages.WriteSignedOverOtherData(path, PgpTestKeys.Recipient, PgpTestKeys.Signer, "id\n1\n", "id\n2\n");

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient, new { verifySignature = PgpTestKeys.Signer.Public }), path);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains($"forged.csv.pgp' has a signature by key {TestKey.Hex(PgpTestKeys.Signer.PrimaryId)} that does not match its content", result.Run.Error, StringComparison.Ordinal);
        Assert.Empty(result.Files("files"));
    }

    [Fact]
    public async Task Run_Fails_WhenFileIsEncryptedWithAPassword()
    {
        var path = _temp["symmetric.csv.pgp"];
        PgpMessages.WritePasswordEncrypted(path, "id\n1\n", "pw");

        var result = await DecryptAsync(DecryptWith(PgpTestKeys.Recipient), path);

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("symmetric.csv.pgp' is encrypted with a password, not for a public key", result.Run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DecryptsWithTheMatchingKey_WhenSeveralArePasted()
    {
        var rotated = PgpTestKeys.Generate("Rotated <rotated@example.com>", PgpTestKeys.Other.Passphrase, subkey: false, bits: 1024);
        var forOther = await EncryptAsync(_temp, _temp.Write("o.csv", "other"), EncryptFor(PgpTestKeys.Other));
        var forRotated = await EncryptAsync(_temp, _temp.Write("r.csv", "rotated"), EncryptFor(rotated));
        var settings = new { privateKey = PgpTestKeys.Other.Private + "\n" + rotated.Private, passphrase = PgpTestKeys.Other.Passphrase };

        var result = await DecryptAsync(settings, forOther, forRotated);

        result.AssertSucceeded();
        Assert.Equal(["other", "rotated"], result.Files("files").Select(f => f.ReadText()));
    }

    private static void AssertNoSecretIn(HarnessResult result, string passphrase, TestKey key)
    {
        var body = key.Private.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 40).Take(3).ToList();
        var texts = result.Run.Log.Select(l => l.Message).Concat(result.Observer.Log.Select(l => l.Message)).Append(result.Run.Error ?? "").ToList();
        Assert.All(texts, t => Assert.DoesNotContain(passphrase, t, StringComparison.Ordinal));
        Assert.All(texts, t => Assert.All(body, line => Assert.DoesNotContain(line, t, StringComparison.Ordinal)));
    }

    /// <summary>A file whose reading breaks off with an I/O error, like a dropped connection.</summary>
    private sealed class FailingStream(Stream inner, long failAfter) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= failAfter) throw new IOException("connection reset by the test");
            var n = inner.Read(buffer, offset, (int)Math.Min(count, failAfter - _read));
            _read += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
