using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Pgp;

/// <summary>How <see cref="PgpEncryptBlock"/> compresses the data before encrypting it.</summary>
public enum PgpCompression
{
    /// <summary>ZIP (deflate), GnuPG's default: readable by every OpenPGP tool.</summary>
    Zip,
    /// <summary>ZLIB (deflate with a checksum).</summary>
    Zlib,
    /// <summary>No compression: for data that is compressed already (zip, gz, images).</summary>
    None,
}

/// <summary>Settings of <see cref="PgpEncryptBlock"/>.</summary>
public sealed class PgpEncryptSettings : IValidatableObject
{
    /// <summary>
    /// Encrypt the matching files. Off: every file passes on unchanged (e.g. in a test environment whose
    /// receiver takes plain files); the keys are then not needed.
    /// </summary>
    [Setting(Order = 0)]
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The receiver's public key, armored, as exported by gpg --armor --export KEYID (starts with
    /// -----BEGIN PGP PUBLIC KEY BLOCK-----). The file is encrypted to its newest valid encryption subkey.
    /// Several keys may be pasted one after the other: each of them can then decrypt the file. Required while enabled.
    /// </summary>
    [Setting(Order = 1, Editor = EditorHint.MultilineText, Placeholder = "-----BEGIN PGP PUBLIC KEY BLOCK-----")]
    public string PublicKey { get; set; } = "";

    /// <summary>
    /// Write the encrypted file as text (ASCII armor, name ending in .asc) instead of binary (.pgp). Armor
    /// is a third larger; use it only when the receiver asks for it.
    /// </summary>
    [Setting(Order = 2)]
    public bool Armor { get; set; }

    /// <summary>Regular expression a file name must contain to be encrypted (letter case ignored). Other files pass on unchanged. Empty or .* encrypts every file.</summary>
    [Setting(Order = 3, Editor = EditorHint.Regex, Placeholder = @"\.csv$")]
    public string FilePattern { get; set; } = ".*";

    /// <summary>Compression before encryption: zip (GnuPG's default), zlib, or none for data that is already compressed.</summary>
    [Setting(Order = 4, Group = "Advanced")]
    public PgpCompression Compress { get; set; } = PgpCompression.Zip;

    /// <summary>
    /// Protect the file against alteration with an integrity check (a modification detection code), as every
    /// current OpenPGP tool does. Turn off only for a receiver whose old software cannot read such files:
    /// without it, GnuPG 2.2.8 and later refuse to decrypt the file.
    /// </summary>
    [Setting(Order = 5, Group = "Advanced")]
    public bool IntegrityCheck { get; set; } = true;

    /// <summary>
    /// Your private key, armored (gpg --armor --export-secret-keys KEYID), to sign each file so the receiver
    /// can check it comes from you. Empty: files are not signed.
    /// </summary>
    [Setting(Order = 6, Group = "Signing", Editor = EditorHint.MultilineText, Secret = true, Placeholder = "-----BEGIN PGP PRIVATE KEY BLOCK-----")]
    public string SigningKey { get; set; } = "";

    /// <summary>The passphrase that unlocks the signing key; empty when the key has none.</summary>
    [Setting(Order = 7, Group = "Signing", Secret = true)]
    public string SigningPassphrase { get; set; } = "";

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NamePattern.Validate(FilePattern, "File pattern", nameof(FilePattern)) is { } pattern)
            yield return pattern;
        if (Enabled || !string.IsNullOrWhiteSpace(PublicKey))
        {
            var (keys, problem) = PgpKeys.ReadPublic(PublicKey);
            problem ??= PgpKeys.EncryptionKeys(keys!, DateTime.UtcNow).Problem;
            if (problem is not null)
                yield return new ValidationResult($"The public key {problem}.", [nameof(PublicKey)]);
        }
        if (!string.IsNullOrWhiteSpace(SigningKey))
        {
            var (keys, problem) = PgpKeys.ReadPrivate(SigningKey);
            problem ??= PgpKeys.SigningKey(keys!, DateTime.UtcNow).Problem;
            if (problem is not null)
                yield return new ValidationResult($"The signing key {problem}.", [nameof(SigningKey)]);
        }
    }
}
