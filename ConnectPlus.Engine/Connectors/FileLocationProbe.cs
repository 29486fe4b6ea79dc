using System.Text;

namespace ConnectPlus.Engine.Connectors;

/// <summary>
/// The second half of "test connection" for file connections, after signing in and listing the root folder:
/// writes a hidden probe file in the root folder (the atomic write: a temporary name renamed into place), moves
/// it to another hidden name (as file sources move what they read to their processed and error folders) and
/// deletes it. An account that may read but not write, rename or delete is told so at once, not at the end of
/// a run. File sources never read hidden files, so a probe left behind by a refused delete is harmless.
/// </summary>
internal static class FileLocationProbe
{
    private const string Advice =
        "File sources move the files they read to their processed and error folders, and destinations write files: " +
        "give the account the right to write, rename and delete files in the root folder, or choose a root folder where it has it.";

    public static async Task CheckWriteMoveDeleteAsync(IFileLocation location, CancellationToken cancellationToken)
    {
        var probe = $".connectplus-test-{Guid.NewGuid():N}";
        var moved = probe + ".moved";
        using (var content = new MemoryStream(Encoding.UTF8.GetBytes("Connect+ connection test: this file may be deleted.\n")))
            await StepAsync(location, "may not write files there", () => location.WriteAsync(probe, content, ConflictMode.Fail, cancellationToken)).ConfigureAwait(false);
        try
        {
            await StepAsync(location, "may write files there but not rename (move) them", () => location.MoveAsync(probe, moved, cancellationToken)).ConfigureAwait(false);
        }
        catch (ConnectionException)
        {
            await DeleteQuietlyAsync(location, probe).ConfigureAwait(false);
            throw;
        }
        await StepAsync(location, $"may not delete files there (the probe file '{moved}' is left in the root folder)",
            () => location.DeleteAsync(moved, cancellationToken)).ConfigureAwait(false);
    }

    private static async Task StepAsync(IFileLocation location, string refusal, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (ConnectionException ex) when (ex.Failure == ConnectionFailure.PermissionDenied)
        {
            throw new ConnectionException(ConnectionFailure.PermissionDenied,
                $"{location.Display}: signed in and listed the root folder, but the account {refusal}. {Advice} ({ex.Message})", ex);
        }
    }

    private static async Task DeleteQuietlyAsync(IFileLocation location, string path)
    {
        try
        {
            await location.DeleteAsync(path, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ConnectionException)
        {
            // The refusal being reported matters more than a hidden probe file, which no source reads.
        }
    }
}
