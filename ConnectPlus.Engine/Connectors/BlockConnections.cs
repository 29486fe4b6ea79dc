using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Connectors;

/// <summary>How blocks reach the connections their settings name.</summary>
public static class BlockConnections
{
    /// <summary>Resolves a connection by name through the host's <see cref="IConnectionProvider"/>.</summary>
    public static async ValueTask<ConnectionDefinition> GetConnectionAsync(this BlockContext context, string connectionName, string setting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(connectionName))
            throw new BlockException($"Choose a connection in '{setting}'.") { Setting = setting };
        var provider = context.Services?.GetService(typeof(IConnectionProvider)) as IConnectionProvider
            ?? throw new BlockException($"{context.DisplayName} needs connection '{connectionName}', but this host provides no connections.") { Setting = setting };
        try
        {
            return await provider.GetAsync(connectionName, cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectionException ex)
        {
            throw new BlockException($"Setting '{setting}': {ex.Message}", ex) { Setting = setting };
        }
    }

    /// <summary>Opens the file location of the connection a setting names; each retry of a transient fault is a warning in the run log.</summary>
    public static async ValueTask<IFileLocation> OpenFileLocationAsync(this BlockContext context, string connectionName, string setting, CancellationToken cancellationToken)
    {
        var connection = await context.GetConnectionAsync(connectionName, setting, cancellationToken).ConfigureAwait(false);
        try
        {
            return ConnectionCatalog.Default.OpenFileLocation(connection, notice => context.Log(RunLogLevel.Warning, notice.ToString()));
        }
        catch (ConnectionException ex)
        {
            throw new BlockException($"Setting '{setting}': {ex.Message}", ex) { Setting = setting };
        }
    }

    /// <summary>
    /// Closes a location a block opened (null: nothing to do). Closing happens after the data has gone
    /// where it goes, so a failure to close is a warning in the run log, not a failed run.
    /// </summary>
    public static async ValueTask CloseFileLocationAsync(this BlockContext context, IFileLocation? location)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (location is null) return;
        try
        {
            await location.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConnectionException or IOException)
        {
            context.Log(RunLogLevel.Warning, $"Could not close the connection to {location.Display}: {ex.Message}");
        }
    }
}
