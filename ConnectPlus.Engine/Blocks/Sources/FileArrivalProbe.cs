using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Sources;

/// <summary>What a file-arrival probe found at one file source of a dataflow.</summary>
/// <param name="NodeId">The source block.</param>
/// <param name="NewFiles">Files a run started now would read (files of complete file sets only).</param>
/// <param name="Summary">What the source would log: matching files, already processed, too recent, incomplete sets.</param>
public sealed record FileArrivalSource(string NodeId, int NewFiles, string Summary);

/// <summary>What a file-arrival probe found at the file sources of a dataflow.</summary>
/// <param name="Sources">One entry per file source block.</param>
public sealed record FileArrivalResult(IReadOnlyList<FileArrivalSource> Sources)
{
    /// <summary>True when a run started now would read at least one file.</summary>
    public bool HasNewFiles => Sources.Any(s => s.NewFiles > 0);

    /// <summary>New files at all sources.</summary>
    public int NewFiles => Sources.Sum(s => s.NewFiles);

    /// <summary>One line per source, for logs.</summary>
    public override string ToString() => string.Join(" | ", Sources.Select(s => $"{s.NodeId}: {s.NewFiles} new ({s.Summary})"));
}

/// <summary>
/// Tells whether a dataflow's file sources (File source, Local folder) have files a run would read now: the file
/// sources' own picking (name pattern, subfolders, minimum age, complete file sets only) less what the
/// processed-file ledger marks processed. Reads nothing and records nothing. A file-arrival schedule polls with it
/// and starts a run only when there is something to read.
/// </summary>
/// <param name="catalog">Binds the source blocks' settings.</param>
public sealed class FileArrivalProbe(BlockCatalog catalog)
{
    /// <summary>The run id the probe picks as: a ledger entry of any real run is another run's.</summary>
    public const string ProbeRunId = "file-arrival-probe";

    /// <summary>Block types whose files the probe looks at.</summary>
    public static IReadOnlySet<string> SourceTypes { get; } = new HashSet<string>(StringComparer.Ordinal) { "file-source", "local-folder-source" };

    /// <summary>Looks at every file source of the dataflow.</summary>
    /// <param name="dataflow">The dataflow (the version a run would use).</param>
    /// <param name="services">
    /// The host's services as a run gets them: <see cref="IConnectionProvider"/> for File source connections and,
    /// when the host keeps one, <see cref="IProcessedFileLedger"/>.
    /// </param>
    /// <param name="time">The clock files' minimum age is measured with.</param>
    /// <param name="cancellationToken">Stops listing.</param>
    /// <exception cref="BlockException">A source cannot be listed (missing folder, connection refused): the message names the block and the setting.</exception>
    public async Task<FileArrivalResult> ProbeAsync(DataflowDefinition dataflow, IServiceProvider services, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataflow);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(time);
        var ledger = services.GetService(typeof(IProcessedFileLedger)) as IProcessedFileLedger;
        var found = new List<FileArrivalSource>();
        foreach (var node in dataflow.Nodes.Where(n => SourceTypes.Contains(n.Type)))
        {
            var run = await OpenAsync(node, services, ledger, cancellationToken).ConfigureAwait(false);
            try
            {
                var lines = new List<string>();
                var files = await run.PickFilesAsync((_, line) => lines.Add(line), ProbeRunId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                found.Add(new FileArrivalSource(node.Id, files.Count, lines.Count == 0 ? "" : lines[^1]));
            }
            catch (BlockException ex)
            {
                throw new BlockException($"Block '{node.Label ?? node.Id}': {ex.Message}", ex) { Setting = ex.Setting, File = ex.File };
            }
            finally
            {
                await run.CloseAsync().ConfigureAwait(false);
            }
        }
        return new FileArrivalResult(found);
    }

    private async Task<FileSourceRun> OpenAsync(NodeDefinition node, IServiceProvider services, IProcessedFileLedger? ledger, CancellationToken cancellationToken)
    {
        var descriptor = catalog.Find(node.Type) ?? throw new BlockException($"Block '{node.Id}' has the unknown type '{node.Type}'.");
        var settings = SettingsBinder.Bind(descriptor, node.Settings);
        if (settings is LocalFolderSourceSettings local) return LocalFolderSourceBlock.RunOf(local, ledger);
        var file = (FileSourceSettings)settings;
        var provider = services.GetService(typeof(IConnectionProvider)) as IConnectionProvider
            ?? throw new BlockException($"Block '{node.Id}' needs connection '{file.Connection}', but this host provides no connections.") { Setting = "connection" };
        try
        {
            var connection = await provider.GetAsync(file.Connection, cancellationToken).ConfigureAwait(false);
            return FileSourceBlock.RunOf(file, ConnectionCatalog.Default.OpenFileLocation(connection), ledger);
        }
        catch (ConnectionException ex)
        {
            throw new BlockException($"Block '{node.Id}', setting 'connection': {ex.Message}", ex) { Setting = "connection" };
        }
    }
}
