using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Pgp;

/// <summary>Settings of <see cref="PgpDecryptBlock"/>.</summary>
public sealed class PgpDecryptSettings : IValidatableObject
{
    /// <summary>
    /// Decrypt the matching files. Off: every file passes on unchanged (e.g. in an environment whose files
    /// arrive unencrypted); the keys are then not needed.
    /// </summary>
    [Setting(Order = 0)]
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Your private key, armored, as exported by gpg --armor --export-secret-keys KEYID (starts with
    /// -----BEGIN PGP PRIVATE KEY BLOCK-----). Several keys may be pasted one after the other (e.g. while
    /// changing keys): each file is decrypted with the one it was encrypted for. Required while enabled.
    /// </summary>
    [Setting(Order = 1, Editor = EditorHint.MultilineText, Secret = true, Placeholder = "-----BEGIN PGP PRIVATE KEY BLOCK-----")]
    public string PrivateKey { get; set; } = "";

    /// <summary>The passphrase that unlocks the private key; empty when the key has none. Checked when the first file is decrypted.</summary>
    [Setting(Order = 2, Secret = true)]
    public string Passphrase { get; set; } = "";

    /// <summary>
    /// Regular expression a file name must contain to be decrypted (letter case ignored). Other files pass
    /// on unchanged. The decrypted file takes the name without its .pgp, .gpg or .asc extension; a file
    /// without one of those keeps the name stored inside the encrypted data when that is a plain file name,
    /// else its own name.
    /// </summary>
    [Setting(Order = 3, Editor = EditorHint.Regex, Placeholder = @"\.(pgp|gpg|asc)$")]
    public string FilePattern { get; set; } = @"\.(pgp|gpg|asc)$";

    /// <summary>
    /// The sender's public key, armored (gpg --armor --export KEYID). When given, every file must be signed
    /// with it: a file that is not signed, signed by another key, or whose signature does not match its
    /// content stops the run. Empty: signatures are not checked.
    /// </summary>
    [Setting(Order = 4, Group = "Signature", Editor = EditorHint.MultilineText, Placeholder = "-----BEGIN PGP PUBLIC KEY BLOCK-----")]
    public string VerifySignature { get; set; } = "";

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NamePattern.Validate(FilePattern, "File pattern", nameof(FilePattern)) is { } pattern)
            yield return pattern;
        if (Enabled || !string.IsNullOrWhiteSpace(PrivateKey))
        {
            var (keys, problem) = PgpKeys.ReadPrivate(PrivateKey);
            if (problem is not null)
                yield return new ValidationResult($"The private key {problem}.", [nameof(PrivateKey)]);
            else if (!PgpKeys.CanDecrypt(keys!))
                yield return new ValidationResult("The private key holds no key that can decrypt (an encryption key with its private part). Export the whole key with gpg --armor --export-secret-keys KEYID.", [nameof(PrivateKey)]);
        }
        if (!string.IsNullOrWhiteSpace(VerifySignature) && PgpKeys.ReadPublic(VerifySignature).Problem is { } signer)
            yield return new ValidationResult($"The key in 'verify signature' {signer}.", [nameof(VerifySignature)]);
    }
}
