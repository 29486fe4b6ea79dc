using System.Buffers;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace ConnectPlus.Engine.Blocks.Pgp;

/// <summary>
/// Decrypts OpenPGP files (binary or armored, as GnuPG and other PGP tools make them) with your private
/// key, streaming files of any size. Checks each file's integrity and, when asked, the sender's signature;
/// a file that fails stops the run and nothing of it is passed on. A decrypted file is named after the
/// encrypted one without its .pgp, .gpg or .asc extension. Text encrypted in text mode (gpg --textmode)
/// gets LF line ends back, as gpg gives it on Linux. Files whose names do not match pass on unchanged.
/// </summary>
[Block("pgp-decrypt", 1, "PGP Decrypt", BlockCategory.Files, Icon = "lock_open")]
[Input("files", PortKind.Files, Description = "Encrypted files; files whose names do not match the pattern pass through.")]
[Output("files", PortKind.Files, Description = "The decrypted files, and the files passed through unchanged.")]
public sealed class PgpDecryptBlock : Block<PgpDecryptSettings>
{
    /// <summary>The attribute of a decrypted file that holds the file name stored in the encrypted data, when there is one.</summary>
    public const string StoredNameAttribute = "pgpFileName";

    private const string Port = PgpFiles.Port;
    private const int BufferSize = 1 << 16;
    private static readonly string[] Extensions = [".pgp", ".gpg", ".asc"];
    private static readonly ReadOnlyMemory<byte> CarriageReturn = "\r"u8.ToArray();

    private readonly Dictionary<long, PgpPrivateKey> _unlocked = [];
    private PgpSecretKeyRingBundle _keys = null!;
    private PgpPublicKeyRingBundle? _signers;
    private int _files;

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Settings.Enabled)
        {
            await PgpFiles.PassAllAsync(context, "Decryption", cancellationToken).ConfigureAwait(false);
            return;
        }
        ReadKeys();
        var pattern = NamePattern.Create(Settings.FilePattern);
        await foreach (var file in context.ReadFilesAsync(Port, cancellationToken).ConfigureAwait(false))
        {
            if (NamePattern.IsMatch(pattern, file.Name, "filePattern"))
            {
                var decrypted = await DecryptAsync(context, file, cancellationToken).ConfigureAwait(false);
                await context.WriteAsync(Port, decrypted, cancellationToken).ConfigureAwait(false);
                continue;
            }
            context.Log(RunLogLevel.Info, $"'{file}' does not match '{Settings.FilePattern}': passed on unchanged.");
            await context.WriteAsync(Port, file, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The name of a decrypted file: the encrypted file's name without .pgp, .gpg or .asc; else the name
    /// stored in the encrypted data when it is a plain file name (never a path: the sender chose it);
    /// else the encrypted file's name.
    /// </summary>
    internal static string OutputName(string name, string? storedName)
    {
        var extension = Extensions.FirstOrDefault(e => name.Length > e.Length && name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        if (extension is not null) return name[..^extension.Length];
        return IsPlainFileName(storedName) ? storedName! : name;
    }

    private static bool IsPlainFileName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name is not ("." or ".." or "_CONSOLE")
        && name.IndexOfAny(['/', '\\', ':']) < 0 && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;

    private void ReadKeys()
    {
        var (keys, problem) = PgpKeys.ReadPrivate(Settings.PrivateKey);
        _keys = keys ?? throw new BlockException($"The private key in 'privateKey' {problem}.") { Setting = "privateKey" };
        if (string.IsNullOrWhiteSpace(Settings.VerifySignature)) return;
        var (signers, signerProblem) = PgpKeys.ReadPublic(Settings.VerifySignature);
        _signers = signers ?? throw new BlockException($"The key in 'verifySignature' {signerProblem}.") { Setting = "verifySignature" };
    }

    private async Task<FileItem> DecryptAsync(BlockContext context, FileItem file, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(context.WorkFolder, $"decrypted-{++_files}");
        Directory.CreateDirectory(folder);
        var source = await file.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var encrypted = await ReadEncryptedDataAsync(file, source, cancellationToken).ConfigureAwait(false);
            var (data, clear) = OpenClear(file, encrypted);
            string? path = null;
            try
            {
                var signature = new PgpSignatureCheck(_signers);
                var (factory, literal) = FindLiteralData(clear, signature);
                RequireTrustedSigner(file, signature);
                path = Path.Combine(folder, OutputName(file.Name, literal.FileName));
                var written = await CopyAsync(literal, path, signature, cancellationToken).ConfigureAwait(false);
                var signed = CheckSignature(file, factory, signature);
                CheckIntegrity(context, file, data);
                context.Log(RunLogLevel.Info, $"Decrypted '{file}' to '{Path.GetFileName(path)}' ({ByteSize.Format(written)}){signed}.");
                var attributes = new Dictionary<string, string>(file.Attributes, StringComparer.Ordinal);
                if (!string.IsNullOrEmpty(literal.FileName)) attributes[StoredNameAttribute] = literal.FileName;
                return PgpFiles.Derived(file, path, attributes);
            }
            catch (Exception ex) when (ex is PgpException or IOException or InvalidDataException)
            {
                PgpFiles.Delete(path);
                throw Unreadable(file, data, ex);
            }
            catch
            {
                PgpFiles.Delete(path);
                throw;
            }
        }
    }

    /// <summary>Reads up to the list of encrypted session keys; armored or binary input, told apart by its first byte.</summary>
    private static async Task<PgpEncryptedDataList> ReadEncryptedDataAsync(FileItem file, Stream source, CancellationToken cancellationToken)
    {
        var head = new byte[3];
        var read = await source.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0) throw NotEncrypted(file, "it is empty");
        // A binary OpenPGP packet starts with its top bit set; armor is text, maybe after a UTF-8 byte order mark.
        var bom = read == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF;
        var start = new PgpSourceStream(head.AsMemory(bom ? 3 : 0, bom ? 0 : read), source);
        Stream packets = !bom && (head[0] & 0x80) != 0 ? start : new ArmoredInputStream(start);
        try
        {
            var factory = new PgpObjectFactory(packets);
            var next = factory.NextPgpObject();
            while (next is PgpMarker) next = factory.NextPgpObject();
            return next switch
            {
                PgpEncryptedDataList list => list,
                null => throw NotEncrypted(file, "it holds no OpenPGP data"),
                PgpPublicKeyRing or PgpSecretKeyRing => throw NotEncrypted(file, "it holds a key"),
                _ => throw NotEncrypted(file, "it holds OpenPGP data that is signed or compressed but not encrypted"),
            };
        }
        catch (Exception ex) when (ex is PgpException or IOException)
        {
            if (Find<PgpSourceException>(ex) is { } failed) throw CouldNotRead(file, failed);
            throw NotEncrypted(file, $"it cannot be read as OpenPGP data ({ex.Message})", ex);
        }
    }

    /// <summary>Finds the session key encrypted for one of our keys and opens the decrypted stream.</summary>
    private (PgpPublicKeyEncryptedData Data, Stream Clear) OpenClear(FileItem file, PgpEncryptedDataList list)
    {
        var forKeys = list.GetEncryptedDataObjects().OfType<PgpPublicKeyEncryptedData>().ToList();
        if (forKeys.Count == 0)
        {
            throw new BlockException($"'{file}' is encrypted with a password, not for a public key; Connect+ decrypts files encrypted for your public key. Ask the sender to encrypt for it.")
            {
                File = file.ToString(),
            };
        }
        foreach (var data in forKeys.Where(d => d.KeyId != 0))
        {
            if (_keys.GetSecretKey(data.KeyId) is { } key) return (data, SessionStream(file, data, key));
        }
        // Hidden recipients (gpg --throw-keyids) have key id 0: try each of our keys that can decrypt.
        foreach (var data in forKeys.Where(d => d.KeyId == 0))
        {
            foreach (var key in _keys.GetKeyRings().SelectMany(r => r.GetSecretKeys()).Where(k => !k.IsPrivateKeyEmpty && k.PublicKey.IsEncryptionKey))
            {
                if (TrySessionStream(file, data, key) is { } clear) return (data, clear);
            }
        }
        var recipients = string.Join(", ", forKeys.Select(d => d.KeyId == 0 ? "a hidden key" : PgpKeys.Id(d.KeyId)));
        throw new BlockException($"'{file}' is encrypted for key {recipients}, but the private key in 'privateKey' is {PgpKeys.Ids(_keys)}. Paste the private key the file was encrypted for, or ask the sender to encrypt for your public key.")
        {
            Setting = "privateKey",
            File = file.ToString(),
        };
    }

    private Stream SessionStream(FileItem file, PgpPublicKeyEncryptedData data, PgpSecretKey key)
    {
        try
        {
            return data.GetDataStream(Unlock(file, key));
        }
        catch (PgpException ex)
        {
            throw new BlockException($"'{file}' cannot be decrypted with key {PgpKeys.Id(key.KeyId)}: its session key does not decrypt. The file is damaged or was not made for this key; ask the sender for a new copy.", ex)
            {
                File = file.ToString(),
            };
        }
    }

    private Stream? TrySessionStream(FileItem file, PgpPublicKeyEncryptedData data, PgpSecretKey key)
    {
        try
        {
            return data.GetDataStream(Unlock(file, key));
        }
        catch (PgpException)
        {
            // Not the key this hidden recipient is for: the caller tries the next one.
            return null;
        }
    }

    private PgpPrivateKey Unlock(FileItem file, PgpSecretKey key)
    {
        if (_unlocked.TryGetValue(key.KeyId, out var unlocked)) return unlocked;
        var id = PgpKeys.Id(key.KeyId);
        if (key.IsPrivateKeyEmpty)
        {
            throw new BlockException($"The private key {id} in 'privateKey', needed for '{file}', was exported without its private part (gpg lists it as sec# or ssb#). Export it from the machine that holds it.")
            {
                Setting = "privateKey",
                File = file.ToString(),
            };
        }
        try
        {
            return _unlocked[key.KeyId] = PgpKeys.Unlock(key, Settings.Passphrase);
        }
        catch (PgpException ex)
        {
            var message = string.IsNullOrEmpty(Settings.Passphrase)
                ? $"The private key {id}, needed for '{file}', is protected by a passphrase. Give it in 'passphrase'."
                : $"The passphrase in 'passphrase' does not unlock the private key {id}, needed for '{file}'. Check the passphrase (letter case and spaces count).";
            throw new BlockException(message, ex) { Setting = "passphrase", File = file.ToString() };
        }
    }

    /// <summary>Walks the decrypted packets (compressed data, signature headers) to the literal data.</summary>
    private static (PgpObjectFactory Factory, PgpLiteralData Literal) FindLiteralData(Stream clear, PgpSignatureCheck signature)
    {
        var factory = new PgpObjectFactory(clear);
        while (true)
        {
            switch (factory.NextPgpObject())
            {
                case PgpLiteralData literal:
                    return (factory, literal);
                case PgpCompressedData compressed:
                    factory = new PgpObjectFactory(compressed.GetDataStream());
                    break;
                case PgpOnePassSignatureList onePass:
                    signature.Add(onePass);
                    break;
                case PgpSignatureList leading:
                    signature.Add(leading);
                    break;
                case PgpMarker:
                    break;
                case null:
                    throw new PgpException("the encrypted data holds no file");
                case var other:
                    throw new PgpException($"the encrypted data holds {other.GetType().Name} where a file was expected");
            }
        }
    }

    /// <summary>Writes the file out, hashing it as stored for the signature; text-mode data gets LF line ends. Returns the bytes written.</summary>
    private static async Task<long> CopyAsync(PgpLiteralData literal, string path, PgpSignatureCheck signature, CancellationToken cancellationToken)
    {
        var from = literal.GetInputStream();
        var text = literal.Format is PgpLiteralData.Text or PgpLiteralData.Utf8 ? new TextLineEnds() : null;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await using (output.ConfigureAwait(false))
            {
                int read;
                while ((read = await from.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    signature.Update(buffer.AsSpan(0, read));
                    var (leadingCr, length) = text?.Convert(buffer.AsSpan(0, read)) ?? (false, read);
                    if (leadingCr) await WriteAsync(output, CarriageReturn, cancellationToken).ConfigureAwait(false);
                    await WriteAsync(output, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }
                if (text?.Finish() == true) await WriteAsync(output, CarriageReturn, cancellationToken).ConfigureAwait(false);
                return output.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteAsync(FileStream output, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await output.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // Kept apart from read errors, which mean a damaged file.
            throw new BlockException($"The decrypted file cannot be written to the work folder: {ex.Message}", ex);
        }
    }

    /// <summary>Before any data is written: when 'verifySignature' is set, the file must be signed by that key.</summary>
    private void RequireTrustedSigner(FileItem file, PgpSignatureCheck signature)
    {
        if (_signers is null || signature.CheckedKeyId is not null) return;
        var expected = string.Join("; ", _signers.GetKeyRings().Select(r => PgpKeys.Describe(r.GetPublicKey())));
        var message = signature.Signers.Count == 0
            ? $"'{file}' is not signed, but 'verifySignature' asks for a signature by key {expected}. Ask the sender to sign the file (gpg --sign --encrypt), or empty 'verifySignature'."
            : $"'{file}' is signed by key {string.Join(", ", signature.Signers.Select(PgpKeys.Id))}, not by the key in 'verifySignature' ({expected}). Check that the sender's current public key is in 'verifySignature'.";
        throw new BlockException(message) { Setting = "verifySignature", File = file.ToString() };
    }

    /// <summary>After the data: checks the signature when 'verifySignature' asks for one; returns a note for the log.</summary>
    private static string CheckSignature(FileItem file, PgpObjectFactory factory, PgpSignatureCheck signature)
    {
        var trailer = signature.AwaitsTrailer ? factory.NextPgpObject() as PgpSignatureList : null;
        if (signature.CheckedKeyId is not { } keyId)
        {
            return signature.Signers.Count == 0 ? ""
                : $"; signed by key {string.Join(", ", signature.Signers.Select(PgpKeys.Id))}, not checked ('verifySignature' is empty)";
        }
        if (!signature.Verify(trailer))
        {
            throw new BlockException($"'{file}' has a signature by key {PgpKeys.Id(keyId)} that does not match its content: the file was altered after it was signed, or the signature is damaged. Nothing of it was passed on; ask the sender for a new copy.")
            {
                Setting = "verifySignature",
                File = file.ToString(),
            };
        }
        return $"; signature by key {PgpKeys.Id(keyId)} verified";
    }

    private static void CheckIntegrity(BlockContext context, FileItem file, PgpPublicKeyEncryptedData data)
    {
        if (!data.IsIntegrityProtected())
        {
            context.Log(RunLogLevel.Warning, $"'{file}' has no integrity check (old PGP software made it), so a change to it could go unnoticed. Ask the sender to use current software.");
            return;
        }
        if (!data.Verify()) throw IntegrityFailed(file);
    }

    /// <summary>
    /// A read error inside the encrypted data: when the file has an integrity check, reading on to it tells
    /// whether the file was altered (a changed byte usually breaks the decompression first).
    /// </summary>
    private static BlockException Unreadable(FileItem file, PgpPublicKeyEncryptedData data, Exception ex)
    {
        if (Find<PgpSourceException>(ex) is { } failed) return CouldNotRead(file, failed);
        if (data.IsIntegrityProtected() && !IntegrityHolds(data)) return IntegrityFailed(file, ex);
        return new BlockException($"'{file}' cannot be decrypted: {ex.Message}. The file may be damaged; ask the sender for a new copy.", ex)
        {
            File = file.ToString(),
        };
    }

    private static BlockException CouldNotRead(FileItem file, PgpSourceException failed) =>
        new($"'{file}' could not be read: {failed.Message}", failed) { File = file.ToString() };

    private static T? Find<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found) return found;
        }
        return null;
    }

    private static bool IntegrityHolds(PgpPublicKeyEncryptedData data)
    {
        try
        {
            return data.Verify();
        }
        catch (Exception ex) when (ex is PgpException or IOException or InvalidDataException)
        {
            // Data too broken to reach its integrity packet fails the check.
            return false;
        }
    }

    private static BlockException IntegrityFailed(FileItem file, Exception? inner = null)
    {
        var message = $"'{file}' failed integrity check — the file is damaged or was tampered with. Nothing of it was passed on; ask the sender for a new copy.";
        return inner is null ? new(message) { File = file.ToString() } : new(message, inner) { File = file.ToString() };
    }

    private static BlockException NotEncrypted(FileItem file, string reason, Exception? inner = null)
    {
        var message = $"'{file}' is not a PGP-encrypted file: {reason}. Send only encrypted files to this block, or narrow 'filePattern' so that other files pass through.";
        return inner is null
            ? new(message) { Setting = "filePattern", File = file.ToString() }
            : new(message, inner) { Setting = "filePattern", File = file.ToString() };
    }
}
