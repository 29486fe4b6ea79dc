namespace ConnectPlus.Engine.Delivery;

/// <summary>
/// A lock file (<c>.lock</c> beside a data file) taken alone, so that stores of several runs or processes writing
/// one file take turns. A lock file rather than the data file itself, so readers are never refused. FileShare.None
/// is an exclusive lock on every platform (flock on Unix).
/// </summary>
internal static class FileLock
{
    /// <summary>How long a writer waits for another one before it reports the file as busy.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(25);

    /// <summary>Takes the lock of <paramref name="path"/>, waiting while another holds it; disposing the stream releases it.</summary>
    /// <param name="path">The data file.</param>
    /// <param name="what">The file as an error message names it, e.g. "The processed-file ledger /runs/ledger/x.jsonl".</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    public static async Task<FileStream> AcquireAsync(string path, string what, CancellationToken cancellationToken)
    {
        var lockPath = Path.ChangeExtension(path, ".lock");
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        var waited = TimeSpan.Zero;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException ex) when (File.Exists(lockPath))
            {
                if (waited >= Wait)
                    throw new IOException($"{what} stayed locked by another run for {Wait.TotalSeconds:0} s ({ex.Message}).", ex);
            }
            await Task.Delay(Retry, cancellationToken).ConfigureAwait(false);
            waited += Retry;
        }
    }
}
