namespace ConnectPlus.Engine.Blocks.Pgp;

/// <summary>
/// Turns the CRLF line ends of OpenPGP text-mode data (gpg --textmode stores text that way) back into LF,
/// as GnuPG does when it decrypts on Linux, chunk by chunk: a CR at the end of a chunk waits for the next.
/// </summary>
internal sealed class TextLineEnds
{
    private bool _pendingCr;

    /// <summary>Converts a chunk in place; returns whether a CR held back from the previous chunk goes first, and the chunk's new length.</summary>
    public (bool LeadingCr, int Length) Convert(Span<byte> chunk)
    {
        var leadingCr = _pendingCr && (chunk.IsEmpty || chunk[0] != '\n');
        _pendingCr = false;
        if (chunk.IndexOf((byte)'\r') < 0) return (leadingCr, chunk.Length);
        var length = 0;
        for (var i = 0; i < chunk.Length; i++)
        {
            if (chunk[i] == '\r')
            {
                if (i + 1 == chunk.Length)
                {
                    _pendingCr = true;
                    continue;
                }
                if (chunk[i + 1] == '\n') continue;
            }
            chunk[length++] = chunk[i];
        }
        return (leadingCr, length);
    }

    /// <summary>Whether a CR is still held back at the end of the data (it was not part of a line end).</summary>
    public bool Finish() => _pendingCr;
}
