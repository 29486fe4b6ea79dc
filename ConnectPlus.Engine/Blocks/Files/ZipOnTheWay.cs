using System.IO.Compression;
using System.IO.Pipelines;

namespace ConnectPlus.Engine.Blocks.Files;

/// <summary>
/// Zips a stream while it is being written somewhere: one task compresses the source into a zip of one
/// entry and writes it into a pipe; the writer reads the zip from the other end. Nothing is held whole in
/// memory or spooled to disk: the pipe holds at most about a megabyte. A failure on either side reaches
/// the other (a broken source fails the write, so an atomic write leaves nothing behind).
/// </summary>
internal static class ZipOnTheWay
{
    private const long PauseAt = 1 << 20;
    private const int CopyBuffer = 1 << 16;

    /// <summary>
    /// Runs <paramref name="write"/> over the zipped <paramref name="source"/> (an entry named
    /// <paramref name="entryName"/>) and returns what it returns. <paramref name="write"/> may stop
    /// reading early (e.g. when it skips the file); the compression then stops too.
    /// </summary>
    public static async Task<T> WriteAsync<T>(Stream source, string entryName, DateTimeOffset? modified,
        Func<Stream, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PauseAt, resumeWriterThreshold: PauseAt / 2, useSynchronizationContext: false));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var zipping = Task.Run(() => ZipAsync(source, entryName, modified, pipe.Writer, stop.Token), CancellationToken.None);
        try
        {
            var zipped = pipe.Reader.AsStream();
            await using (zipped.ConfigureAwait(false))
                return await write(zipped, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The writer is done (or failed): the compression must not go on into a pipe nobody reads.
            if (!zipping.IsCompleted) await stop.CancelAsync().ConfigureAwait(false);
            await zipping.ConfigureAwait(false);
        }
    }

    // Never throws: a failure completes the pipe with it, and the reading side fails with it.
    private static async Task ZipAsync(Stream source, string entryName, DateTimeOffset? modified, PipeWriter output, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            var stream = output.AsStream(leaveOpen: true);
            await using (stream.ConfigureAwait(false))
            {
                var archive = await ZipArchive.CreateAsync(stream, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken).ConfigureAwait(false);
                await using (archive.ConfigureAwait(false))
                {
                    var entry = archive.CreateEntry(entryName, CompressionLevel.Optimal);
                    // Zip times run from 1980 to 2107; outside that the entry keeps the time of writing.
                    if (modified is { Year: >= 1980 and <= 2107 } time) entry.LastWriteTime = time;
                    var content = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
                    await using (content.ConfigureAwait(false))
                        await source.CopyToAsync(content, CopyBuffer, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        // Handed over, not swallowed: the side reading the pipe rethrows it.
        catch (Exception ex)
        {
            failure = ex;
        }
        await output.CompleteAsync(failure).ConfigureAwait(false);
    }
}
