using System.Globalization;
using System.Text.RegularExpressions;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Sources;

/// <summary>What a file source picks, as its settings say, and the setting names its messages use.</summary>
/// <param name="FileNamePattern">Pattern a file name must match (<see cref="NamePattern"/>).</param>
/// <param name="Recursive">Read subfolders too (not the processed and error folders).</param>
/// <param name="MinimumAgeSeconds">Leave files changed more recently than this.</param>
/// <param name="MaxFiles">Files (or file sets) taken per run, or null for all.</param>
/// <param name="FileSet">Patterns of a file set (empty: files are taken one by one).</param>
/// <param name="FolderSetting">Name of the folder setting.</param>
/// <param name="ConnectionSetting">Name of the connection setting, or null when the block has none.</param>
/// <param name="MaxFilesLabel">How messages name the max files setting.</param>
internal sealed record FileSourceOptions(
    string FileNamePattern,
    bool Recursive,
    int MinimumAgeSeconds,
    int? MaxFiles,
    IReadOnlyList<string> FileSet,
    string FolderSetting,
    string? ConnectionSetting,
    string MaxFilesLabel);

/// <summary>
/// One run of a file source (Local folder, File source): lists the folder, leaves out what the
/// processed-file ledger knows as done and what is too recent, forms file sets, sends the files on, and
/// after the run records the outcome in the ledger and moves the files to the processed or error folder.
/// </summary>
internal sealed class FileSourceRun(SourceFolder source, FileSourceOptions options, IProcessedFileLedger? ledger)
{
    /// <summary>Attribute of each file sent on: the location's address without secrets.</summary>
    public const string LocationAttribute = "location";

    /// <summary>Attribute of each file sent on: its path on the location, from the root.</summary>
    public const string PathAttribute = "path";

    /// <summary>Attribute of each file of a file set: the token its set shares (e.g. 20250102).</summary>
    public const string FileSetAttribute = "fileSet";

    private const string FilesPort = "files";

    // Files sent on; only these are moved after the run (the block instance lives for one run).
    private readonly List<Listed> _taken = [];

    // Files recorded in the ledger as taken by this run (all are sent on unless the run stops first); their outcome is recorded after it.
    private List<Listed> _recorded = [];

    // Files the ledger knows as processed by an earlier run that are still in the folder (their move failed).
    private readonly List<(Listed File, ProcessedFileRecord Record)> _processedEarlier = [];

    /// <summary>Lists, picks and sends on the files of this run.</summary>
    public async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        var taken = await PickAsync(context.Log, context.RunId, context.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);

        await RecordAsync(context, taken, ProcessedFileOutcome.Processing, cancellationToken).ConfigureAwait(false);
        _recorded = taken;
        foreach (var file in taken)
        {
            _taken.Add(file);
            await context.WriteAsync(FilesPort, source.ItemFor(file.File, file.SourcePath, Attributes(file)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The files a run started now would read: listed, matching, not processed already, old enough, in complete
    /// file sets, at most the max files. The run and the file-arrival probe (<see cref="FileArrivalProbe"/>) both pick this way.
    /// </summary>
    /// <param name="log">Where the reasons go (a run's log, or the probe's summary).</param>
    /// <param name="runId">The run picking (a file the ledger shows this run processing is not "taken by another run").</param>
    /// <param name="now">The time files' ages are measured against.</param>
    /// <param name="cancellationToken">Stops listing.</param>
    public async Task<IReadOnlyList<RemoteFile>> PickFilesAsync(Action<RunLogLevel, string> log, string runId, DateTimeOffset now, CancellationToken cancellationToken) =>
        [.. (await PickAsync(log, runId, now, cancellationToken).ConfigureAwait(false)).Select(f => f.File)];

    private async Task<List<Listed>> PickAsync(Action<RunLogLevel, string> log, string runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var matching = await ListAsync(cancellationToken).ConfigureAwait(false);
        var fresh = await LeaveOutProcessedAsync(log, runId, matching, cancellationToken).ConfigureAwait(false);
        var cutoff = now.AddSeconds(-options.MinimumAgeSeconds);
        // With no minimum age, a file stamped in the future (a skewed clock) is read all the same.
        var ripe = options.MinimumAgeSeconds > 0 ? fresh.Where(f => f.File.Modified <= cutoff).ToList() : fresh;
        var summary = new List<string> { $"{matching.Count} files in {Where()} match '{options.FileNamePattern}'" };
        if (_processedEarlier.Count > 0) summary.Add($"{_processedEarlier.Count} already processed are skipped");
        if (fresh.Count > ripe.Count) summary.Add($"{fresh.Count - ripe.Count} changed less than {options.MinimumAgeSeconds} s ago are left for a later run");
        var taken = options.FileSet.Count > 0 ? TakeSets(log, ripe, summary) : TakeFiles(ripe, summary);
        log(RunLogLevel.Info, string.Join("; ", summary) + Reading(taken));
        return taken;
    }

    /// <summary>
    /// Records the run's outcome for the files sent on, then moves them: to the processed folder after a
    /// success (with or without rejected rows), to the error folder after a failure; after a cancellation
    /// they stay where they are. Files an earlier run processed whose move failed go to the processed folder.
    /// Closes the location last (the next blocks have read the files by now).
    /// </summary>
    public async Task CompleteAsync(BlockContext context, RunOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            await FinishAsync(context, outcome, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await context.CloseFileLocationAsync(source.Location).ConfigureAwait(false);
            source.Dispose();
        }
    }

    /// <summary>Closes the location without a run's completion (the file-arrival probe picks, then leaves).</summary>
    public async ValueTask CloseAsync()
    {
        try
        {
            await source.Location.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            source.Dispose();
        }
    }

    private async Task FinishAsync(BlockContext context, RunOutcome outcome, CancellationToken cancellationToken)
    {
        if (_recorded.Count > 0)
        {
            var recorded = outcome is RunOutcome.Succeeded or RunOutcome.SucceededWithErrors ? ProcessedFileOutcome.Succeeded : ProcessedFileOutcome.Failed;
            try
            {
                await RecordAsync(context, _recorded, recorded, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                // Moving the files still keeps them from being read again; the next run reads those that stay.
                context.Log(RunLogLevel.Warning, $"Could not record the outcome of the {_recorded.Count} files read in the processed-file ledger: {ex.Message}");
            }
        }
        if (outcome == RunOutcome.Cancelled)
        {
            if (_taken.Count > 0)
                context.Log(RunLogLevel.Info, $"The run was cancelled: the {_taken.Count} files read stay in {source.Describe(source.Folder)} and will be read again.");
            return;
        }
        await MoveProcessedEarlierAsync(context, cancellationToken).ConfigureAwait(false);
        if (_taken.Count == 0) return;
        var (target, kind) = outcome == RunOutcome.Failed ? (source.ErrorFolder, "error") : (source.ProcessedFolder, "processed");
        if (target is null)
        {
            context.Log(RunLogLevel.Info, $"No {kind} folder is set: the {_taken.Count} files read stay in {source.Describe(source.Folder)}.");
            return;
        }
        var moved = 0;
        foreach (var file in _taken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await MoveAsync(context, file, target, kind, cancellationToken).ConfigureAwait(false)) moved++;
        }
        var level = moved == _taken.Count ? RunLogLevel.Info : RunLogLevel.Warning;
        context.Log(level, $"Moved {moved} of {_taken.Count} files read to the {kind} folder {source.Describe(target)}.");
    }

    /// <summary>The files of the folder whose names match, in name order; hidden files and the move folders left out.</summary>
    private async Task<List<Listed>> ListAsync(CancellationToken cancellationToken)
    {
        var pattern = NamePattern.Create(options.FileNamePattern);
        var excluded = new[] { source.ProcessedFolder, source.ErrorFolder }
            .OfType<string>().Where(f => LocationPath.IsInside(f, source.Folder, source.PathComparison)).ToList();
        var files = new List<Listed>();
        try
        {
            await foreach (var file in source.Location.ListAsync(source.Folder, options.Recursive, cancellationToken).ConfigureAwait(false))
            {
                var path = LocationPath.Normalize(file.Path) ?? file.Path;
                if (!LocationPath.IsInside(path, source.Folder, source.PathComparison)) continue;
                var relative = LocationPath.RelativeTo(path, source.Folder);
                if (LocationPath.IsHidden(relative) || excluded.Exists(x => LocationPath.IsInside(path, x, source.PathComparison))) continue;
                if (!NamePattern.IsMatch(pattern, file.Name, "fileNamePattern")) continue;
                files.Add(new Listed(file with { Path = path }, relative));
            }
        }
        catch (ConnectionException ex) when (ex.Failure == ConnectionFailure.NotFoundOnServer)
        {
            throw new BlockException($"The folder {source.Describe(source.Folder)} does not exist. Check the setting '{options.FolderSetting}'.", ex)
            {
                Setting = options.FolderSetting,
                File = source.Describe(source.Folder),
            };
        }
        catch (ConnectionException ex)
        {
            var setting = options.ConnectionSetting ?? options.FolderSetting;
            throw new BlockException($"Cannot list the folder {source.Describe(source.Folder)} (setting '{setting}'): {ex.Message}", ex) { Setting = setting };
        }
        // Name order a person expects (case ignored), made total by the exact name so that every run agrees.
        files.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.SourcePath, b.SourcePath) is var c and not 0 ? c : string.CompareOrdinal(a.SourcePath, b.SourcePath));
        return files;
    }

    /// <summary>Leaves out the files the ledger knows as processed; a file whose run failed or stopped is read again.</summary>
    private async Task<List<Listed>> LeaveOutProcessedAsync(Action<RunLogLevel, string> log, string runId, List<Listed> files, CancellationToken cancellationToken)
    {
        if (ledger is null || files.Count == 0) return files;
        IReadOnlyDictionary<ProcessedFileKey, ProcessedFileRecord> known;
        try
        {
            known = await ledger.FindAsync([.. files.Select(Key)], cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new BlockException($"Cannot read the processed-file ledger, so files read before cannot be told apart: {ex.Message}", ex);
        }
        var fresh = new List<Listed>(files.Count);
        foreach (var file in files)
        {
            if (!known.TryGetValue(Key(file), out var record))
            {
                fresh.Add(file);
                continue;
            }
            switch (record.Outcome)
            {
                case ProcessedFileOutcome.Succeeded:
                    _processedEarlier.Add((file, record));
                    log(RunLogLevel.Info, $"{source.Describe(file.File.Path)} skipped: already processed by run {record.RunId} ({record.Recorded.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC).");
                    continue;
                case ProcessedFileOutcome.Processing when record.RunId != runId:
                    log(RunLogLevel.Warning, $"{source.Describe(file.File.Path)} was taken by run {record.RunId}, which recorded no outcome (it may have stopped): reading it again.");
                    break;
                case ProcessedFileOutcome.Failed:
                    log(RunLogLevel.Info, $"{source.Describe(file.File.Path)} was read by run {record.RunId}, which did not succeed: reading it again.");
                    break;
            }
            fresh.Add(file);
        }
        return fresh;
    }

    private List<Listed> TakeFiles(List<Listed> ripe, List<string> summary)
    {
        if (options.MaxFiles is not { } max || ripe.Count <= max) return ripe;
        summary.Add($"reading the first {max} ({options.MaxFilesLabel}), the rest wait for a later run");
        return ripe[..max];
    }

    /// <summary>
    /// Forms file sets: each file goes to the first set pattern its name matches, under the token the
    /// pattern's first group captures; a set is taken when every pattern has a file for its token.
    /// Sets are taken in token order, files of a set in pattern order.
    /// </summary>
    private List<Listed> TakeSets(Action<RunLogLevel, string> log, List<Listed> ripe, List<string> summary)
    {
        var patterns = options.FileSet.Select(NamePattern.Create).ToList();
        var sets = new SortedDictionary<string, List<Listed>[]>(StringComparer.Ordinal);
        var unmatched = 0;
        foreach (var file in ripe)
        {
            var (index, token) = SetOf(patterns, file.File.Name);
            if (index < 0)
            {
                unmatched++;
                continue;
            }
            if (!sets.TryGetValue(token, out var slots)) sets[token] = slots = [.. patterns.Select(_ => new List<Listed>())];
            slots[index].Add(file);
        }
        if (unmatched > 0) summary.Add($"{unmatched} match no file set pattern and are not read");

        var complete = new List<(string Token, List<Listed>[] Slots)>();
        var waiting = 0;
        foreach (var (token, slots) in sets)
        {
            var missing = Enumerable.Range(0, slots.Length).Where(i => slots[i].Count == 0).Select(i => options.FileSet[i]).ToList();
            if (missing.Count == 0)
            {
                complete.Add((token, slots));
                continue;
            }
            waiting++;
            log(RunLogLevel.Info, $"File set '{token}' is incomplete: no file matches {string.Join(", ", missing)}; its {slots.Sum(s => s.Count)} files wait for a later run.");
        }
        if (waiting > 0) summary.Add($"{waiting} incomplete file sets wait for a later run");
        if (options.MaxFiles is { } max && complete.Count > max)
        {
            summary.Add($"reading the first {max} complete file sets ({options.MaxFilesLabel}), the rest wait for a later run");
            complete = complete[..max];
        }
        var taken = new List<Listed>();
        foreach (var (token, slots) in complete)
        {
            foreach (var slot in slots.Where(s => s.Count > 1))
                log(RunLogLevel.Warning, $"File set '{token}' has {slot.Count} files for one pattern ({string.Join(", ", slot.Select(f => f.SourcePath))}): all are read.");
            taken.AddRange(slots.SelectMany(s => s).Select(f => f with { SetToken = token }));
        }
        return taken;
    }

    private static (int Index, string Token) SetOf(List<Regex> patterns, string name)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            Match match;
            try
            {
                match = patterns[i].Match(name);
            }
            catch (RegexMatchTimeoutException ex)
            {
                throw new BlockException($"The pattern '{patterns[i]}' in 'fileSet' took too long to test the name '{name}'. Simplify the pattern.", ex) { Setting = "fileSet" };
            }
            if (match.Success) return (i, match.Groups.Count > 1 ? match.Groups[1].Value : "");
        }
        return (-1, "");
    }

    private string Reading(List<Listed> taken)
    {
        if (options.FileSet.Count == 0) return $". Reading {taken.Count}.";
        var sets = taken.Select(f => f.SetToken).Distinct(StringComparer.Ordinal).Count();
        return $". Reading {taken.Count} files in {sets} file sets.";
    }

    private string Where() => options.Recursive ? $"{source.Describe(source.Folder)} and its subfolders" : source.Describe(source.Folder);

    private async Task MoveProcessedEarlierAsync(BlockContext context, CancellationToken cancellationToken)
    {
        if (_processedEarlier.Count == 0 || source.ProcessedFolder is not { } target) return;
        var moved = 0;
        foreach (var (file, _) in _processedEarlier)
        {
            if (await MoveAsync(context, file, target, "processed", cancellationToken).ConfigureAwait(false)) moved++;
        }
        context.Log(moved == _processedEarlier.Count ? RunLogLevel.Info : RunLogLevel.Warning,
            $"Moved {moved} of {_processedEarlier.Count} files processed by earlier runs to the processed folder {source.Describe(target)}.");
    }

    private async Task<bool> MoveAsync(BlockContext context, Listed file, string target, string kind, CancellationToken cancellationToken)
    {
        try
        {
            var destination = await FreeNameAsync(LocationPath.Join(target, file.SourcePath), context.RunStarted, cancellationToken).ConfigureAwait(false);
            await source.Location.MoveAsync(file.File.Path, destination, cancellationToken).ConfigureAwait(false);
            context.Log(RunLogLevel.Info, $"Moved {source.Describe(file.File.Path)} to {source.Describe(destination)}.");
            return true;
        }
        catch (Exception ex) when (ex is ConnectionException or IOException or UnauthorizedAccessException)
        {
            // One file that cannot move must not keep the others where they are; it is reported.
            var next = ledger is not null && kind == "processed"
                ? " The processed-file ledger keeps it from being read again."
                : " It is read again by the next run.";
            context.Log(RunLogLevel.Warning, $"Could not move {source.Describe(file.File.Path)} to the {kind} folder {source.Describe(target)}: {ex.Message} The file stays where it is.{next}");
            return false;
        }
    }

    /// <summary>The destination itself when free, otherwise the name with the run's UTC start time (and a counter) added.</summary>
    private async Task<string> FreeNameAsync(string destination, DateTimeOffset runStarted, CancellationToken cancellationToken)
    {
        if (await source.Location.StatAsync(destination, cancellationToken).ConfigureAwait(false) is null) return destination;
        var folder = LocationPath.FolderOf(destination);
        var name = destination[(destination.LastIndexOf('/') + 1)..];
        var stem = Path.GetFileNameWithoutExtension(name);
        var extension = Path.GetExtension(name);
        var stamp = runStarted.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var candidate = LocationPath.Join(folder, $"{stem}_{stamp}{extension}");
        for (var n = 2; await source.Location.StatAsync(candidate, cancellationToken).ConfigureAwait(false) is not null; n++)
            candidate = LocationPath.Join(folder, $"{stem}_{stamp}_{n}{extension}");
        return candidate;
    }

    private async Task RecordAsync(BlockContext context, List<Listed> files, ProcessedFileOutcome outcome, CancellationToken cancellationToken)
    {
        if (ledger is null || files.Count == 0) return;
        var now = context.Time.GetUtcNow();
        var records = files.Select(f => new ProcessedFileRecord(Key(f), f.File.Checksum, context.RunId, outcome, now)).ToList();
        try
        {
            await ledger.RecordAsync(records, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (outcome == ProcessedFileOutcome.Processing)
        {
            throw new BlockException($"Cannot record the files taken in the processed-file ledger, so nothing is read: {ex.Message}", ex);
        }
    }

    private ProcessedFileKey Key(Listed file) => new(source.LedgerLocation, file.SourcePath, file.File.Size, file.File.Modified);

    private Dictionary<string, string> Attributes(Listed file)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [LocationAttribute] = source.Location.Display,
            [PathAttribute] = file.File.Path,
        };
        if (file.SetToken is not null) attributes[FileSetAttribute] = file.SetToken;
        return attributes;
    }

    /// <summary>A file found: as listed (path from the location's root), its path inside the folder read, and its file set's token.</summary>
    private sealed record Listed(RemoteFile File, string SourcePath, string? SetToken = null);
}
