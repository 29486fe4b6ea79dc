using System.Buffers;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;

namespace ConnectPlus.Engine.Blocks.Pgp;

/// <summary>
/// Encrypts files for a receiver's public key with OpenPGP (AES-256, readable by GnuPG and every PGP
/// tool), streaming files of any size; can sign them with your private key. The encrypted file is named
/// after the original plus .pgp (or .asc when armored). Files whose names do not match pass on unchanged.
/// </summary>
[Block("pgp-encrypt", 1, "PGP Encrypt", BlockCategory.Files, Icon = "lock")]
[Input("files", PortKind.Files, Description = "Files to encrypt; files whose names do not match the pattern pass through.")]
[Output("files", PortKind.Files, Description = "The encrypted files, and the files passed through unchanged.")]
public sealed class PgpEncryptBlock : Block<PgpEncryptSettings>
{
    private const string Port = PgpFiles.Port;
    private const int BufferSize = 1 << 16;

    private readonly SecureRandom _random = new();
    private List<PgpPublicKey> _recipients = [];
    private (PgpSecretKey Key, PgpPrivateKey Unlocked)? _signer;
    private int _files;

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Settings.Enabled)
        {
            await PgpFiles.PassAllAsync(context, "Encryption", cancellationToken).ConfigureAwait(false);
            return;
        }
        ReadKeys(context.Time.GetUtcNow().UtcDateTime);
        var pattern = NamePattern.Create(Settings.FilePattern);
        await foreach (var file in context.ReadFilesAsync(Port, cancellationToken).ConfigureAwait(false))
        {
            if (NamePattern.IsMatch(pattern, file.Name, "filePattern"))
            {
                var encrypted = await EncryptAsync(context, file, cancellationToken).ConfigureAwait(false);
                await context.WriteAsync(Port, encrypted, cancellationToken).ConfigureAwait(false);
                continue;
            }
            context.Log(RunLogLevel.Info, $"'{file}' does not match '{Settings.FilePattern}': passed on unchanged.");
            await context.WriteAsync(Port, file, cancellationToken).ConfigureAwait(false);
        }
    }

    private void ReadKeys(DateTime now)
    {
        var (keys, problem) = PgpKeys.ReadPublic(Settings.PublicKey);
        List<PgpPublicKey> recipients = [];
        if (keys is not null) (recipients, problem) = PgpKeys.EncryptionKeys(keys, now);
        if (problem is not null) throw new BlockException($"The public key in 'publicKey' {problem}.") { Setting = "publicKey" };
        _recipients = recipients;
        if (string.IsNullOrWhiteSpace(Settings.SigningKey)) return;
        var (secrets, signingProblem) = PgpKeys.ReadPrivate(Settings.SigningKey);
        PgpSecretKey? signing = null;
        if (secrets is not null) (signing, signingProblem) = PgpKeys.SigningKey(secrets, now);
        if (signingProblem is not null) throw new BlockException($"The key in 'signingKey' {signingProblem}.") { Setting = "signingKey" };
        try
        {
            _signer = (signing!, PgpKeys.Unlock(signing!, Settings.SigningPassphrase));
        }
        catch (PgpException ex)
        {
            var message = string.IsNullOrEmpty(Settings.SigningPassphrase)
                ? $"The signing key {PgpKeys.Id(signing!.KeyId)} is protected by a passphrase. Give it in 'signingPassphrase'."
                : $"The passphrase in 'signingPassphrase' does not unlock the signing key {PgpKeys.Id(signing!.KeyId)}. Check the passphrase (letter case and spaces count).";
            throw new BlockException(message, ex) { Setting = "signingPassphrase" };
        }
    }

    private async Task<FileItem> EncryptAsync(BlockContext context, FileItem file, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(context.WorkFolder, $"encrypted-{++_files}");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, file.Name + (Settings.Armor ? ".asc" : ".pgp"));
        var modified = file.Modified?.UtcDateTime ?? context.Time.GetUtcNow().UtcDateTime;
        try
        {
            var source = await file.OpenReadAsync(cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
                await using (output.ConfigureAwait(false))
                {
                    var read = await WriteMessageAsync(file.Name, modified, source, output, cancellationToken).ConfigureAwait(false);
                    context.Log(RunLogLevel.Info, $"Encrypted '{file}' ({ByteSize.Format(read)}) to '{Path.GetFileName(path)}' ({ByteSize.Format(output.Length)}) for key {string.Join(", ", _recipients.Select(k => PgpKeys.Id(k.KeyId)))}"
                        + (_signer is { } signer ? $", signed with key {PgpKeys.Id(signer.Key.KeyId)}." : "."));
                }
            }
        }
        catch
        {
            PgpFiles.Delete(path);
            throw;
        }
        return PgpFiles.Derived(file, path);
    }

    /// <summary>
    /// Writes the OpenPGP message: [armor] → encrypted data → [compressed data] → [one-pass signature],
    /// literal data (the file), [signature]. Each layer streams with partial-length packets. Returns the bytes read.
    /// </summary>
    private async Task<long> WriteMessageAsync(string name, DateTime modified, Stream source, Stream output, CancellationToken cancellationToken)
    {
        // No "Version" header: it tells an attacker which library made the file and nothing useful to the receiver.
        using var armor = Settings.Armor ? ArmoredOutputStream.Build().ClearHeaders().Build(output) : null;
        var encryption = new PgpEncryptedDataGenerator(SymmetricKeyAlgorithmTag.Aes256, Settings.IntegrityCheck, _random);
        foreach (var recipient in _recipients) encryption.AddMethod(recipient);
        using var encrypted = encryption.Open(armor ?? output, new byte[BufferSize]);
        using var compressed = Settings.Compress == PgpCompression.None ? null
            : new PgpCompressedDataGenerator(Settings.Compress == PgpCompression.Zip ? CompressionAlgorithmTag.Zip : CompressionAlgorithmTag.ZLib).Open(encrypted, new byte[BufferSize]);
        var body = compressed ?? encrypted;
        var signature = StartSignature(body);
        long total = 0;
        using (var literal = new PgpLiteralDataGenerator().Open(body, PgpLiteralData.Binary, name, modified, new byte[BufferSize]))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                int read;
                while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    signature?.Update(buffer, 0, read);
                    await literal.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    total += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        signature?.Generate().Encode(body);
        return total;
    }

    private PgpSignatureGenerator? StartSignature(Stream body)
    {
        if (_signer is not { } signer) return null;
        var generator = new PgpSignatureGenerator(signer.Key.PublicKey.Algorithm, HashAlgorithmTag.Sha256);
        generator.InitSign(PgpSignature.BinaryDocument, signer.Unlocked, _random);
        var subpackets = new PgpSignatureSubpacketGenerator();
        subpackets.SetIssuerFingerprint(false, signer.Key);
        generator.SetHashedSubpackets(subpackets.Generate());
        generator.GenerateOnePassVersion(false).Encode(body);
        return generator;
    }
}
