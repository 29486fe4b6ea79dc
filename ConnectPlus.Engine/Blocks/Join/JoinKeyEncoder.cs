using System.Text;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>
/// Turns the key columns of a row into the bytes that are hashed and compared: per key column, the value
/// (trimmed and upper-cased when the settings say so) as UTF-8 behind its length, so composite keys cannot
/// run into each other. Normalising once per row is cheaper than a normalising comparer, which would redo
/// the work on every comparison; the buffer is reused, so encoding allocates nothing.
/// </summary>
internal sealed class JoinKeyEncoder(int[] keyColumns, bool trim, bool ignoreCase)
{
    private byte[] _buffer = new byte[128];
    private char[] _upper = new char[64];
    private int _length;

    /// <summary>The key of the last row encoded.</summary>
    public ReadOnlySpan<byte> Key => _buffer.AsSpan(0, _length);

    /// <summary>Encodes the key of a row; returns true when a key column is missing or empty.</summary>
    public bool Encode(string?[] values)
    {
        var empty = false;
        _length = 0;
        foreach (var column in keyColumns)
        {
            ReadOnlySpan<char> value = (uint)column < (uint)values.Length ? values[column] : null;
            if (trim) value = value.Trim();
            if (value.IsEmpty) empty = true;
            if (ignoreCase) value = Upper(value);
            Append(value);
        }
        return empty;
    }

    private ReadOnlySpan<char> Upper(ReadOnlySpan<char> value)
    {
        if (_upper.Length < value.Length) _upper = new char[Math.Max(value.Length, _upper.Length * 2)];
        var written = value.ToUpperInvariant(_upper);
        return _upper.AsSpan(0, written);
    }

    private void Append(ReadOnlySpan<char> value)
    {
        var worst = _length + 5 + 3 * value.Length;
        if (_buffer.Length < worst) Array.Resize(ref _buffer, Math.Max(worst, _buffer.Length * 2));
        var target = _buffer.AsSpan(_length);
        var bytes = Encoding.UTF8.GetBytes(value, target[1..]);
        var prefix = Varint.Size((uint)bytes);
        if (prefix > 1) target.Slice(1, bytes).CopyTo(target[prefix..]);
        Varint.Write(target, (uint)bytes);
        _length += prefix + bytes;
    }
}
