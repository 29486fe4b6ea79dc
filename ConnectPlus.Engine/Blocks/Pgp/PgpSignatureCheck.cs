using Org.BouncyCastle.Bcpg.OpenPgp;

namespace ConnectPlus.Engine.Blocks.Pgp;

/// <summary>
/// Checks the signature inside a decrypted message against the keys the user trusts while the data
/// streams past. GnuPG puts a one-pass header before the data and the signature after it; older tools
/// put the signature first. Either way the data is hashed once, as it is written out.
/// </summary>
internal sealed class PgpSignatureCheck(PgpPublicKeyRingBundle? trusted)
{
    private readonly List<long> _signers = [];
    private PgpOnePassSignature? _onePass;
    private PgpSignature? _leading;

    /// <summary>The ids of the keys the message says signed it.</summary>
    public IReadOnlyList<long> Signers => _signers;

    /// <summary>The trusted key whose signature is being checked, or null.</summary>
    public long? CheckedKeyId => _onePass?.KeyId ?? _leading?.KeyId;

    /// <summary>Whether a signature must wait for the trailing signature packet.</summary>
    public bool AwaitsTrailer => _onePass is not null;

    /// <summary>Notes the one-pass headers before the data; starts hashing for the first trusted signer.</summary>
    public void Add(PgpOnePassSignatureList list)
    {
        for (var i = 0; i < list.Count; i++)
        {
            var onePass = list[i];
            _signers.Add(onePass.KeyId);
            if (CheckedKeyId is null && trusted?.GetPublicKey(onePass.KeyId) is { } key)
            {
                onePass.InitVerify(key);
                _onePass = onePass;
            }
        }
    }

    /// <summary>Notes signatures placed before the data; starts hashing for the first trusted signer.</summary>
    public void Add(PgpSignatureList list)
    {
        for (var i = 0; i < list.Count; i++)
        {
            var signature = list[i];
            _signers.Add(signature.KeyId);
            if (CheckedKeyId is null && trusted?.GetPublicKey(signature.KeyId) is { } key)
            {
                signature.InitVerify(key);
                _leading = signature;
            }
        }
    }

    /// <summary>Hashes a piece of the data.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        _onePass?.Update(data);
        _leading?.Update(data);
    }

    /// <summary>Whether the signature matches the data; for a one-pass signature, found in the list after the data.</summary>
    public bool Verify(PgpSignatureList? trailer)
    {
        if (_leading is not null) return _leading.Verify();
        if (_onePass is null || trailer is null) return false;
        for (var i = 0; i < trailer.Count; i++)
        {
            if (trailer[i].KeyId == _onePass.KeyId) return _onePass.Verify(trailer[i]);
        }
        return false;
    }
}
