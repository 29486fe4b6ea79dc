using System.Text.Json;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>
/// The engine's observer for a run of the web host: gathers what the run reports (block counters, log lines,
/// rejected rows, delivered files) and, every heartbeat, saves it on the run's rows, proves the node is alive
/// and looks for a cancel request. Observer calls come from many threads and only touch memory; the database
/// is written by the heartbeat loop alone.
/// </summary>
internal sealed partial class RunRecorder : IRunObserver, IAsyncDisposable
{
    private readonly IDbContextFactory<ConnectPlusDbContext> _databases;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _runId;
    private readonly string _node;
    private readonly TimeSpan _interval;
    private readonly Dictionary<string, BlockRole> _roles;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, BlockStats> _stats = new(StringComparer.Ordinal);
    private readonly List<RunLogLine> _head = [];
    private readonly Queue<RunLogLine> _tail = new();
    private readonly List<RunError> _errors = [];
    private readonly List<DeliveredFile> _delivered = [];
    private readonly CancellationTokenSource _loopStop = new();
    private readonly SemaphoreSlim _saving = new(1, 1);
    private long _lines;
    private long _tailSaved;
    private int _rejects;
    private Task? _loop;
    private bool _blockRowsCreated;

    public RunRecorder(IDbContextFactory<ConnectPlusDbContext> databases, Run run, DataflowDefinition dataflow, BlockCatalog catalog,
        string node, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _databases = databases;
        _runId = run.Id;
        _node = node;
        _interval = interval;
        _time = time;
        _logger = logger;
        _roles = BlockRole.Of(dataflow, catalog);
        foreach (var n in dataflow.Nodes) _stats[n.Id] = new BlockStats(n.Id, catalog.Find(n.Type)?.Name ?? n.Type);
        _types = dataflow.Nodes.ToDictionary(n => n.Id, n => n.Type, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, string> _types;

    /// <summary>Set when a person asked the run to stop (who).</summary>
    public string? CancelledBy { get; private set; }

    /// <summary>When it was asked.</summary>
    public DateTimeOffset? CancelAsked { get; private set; }

    /// <summary>Set when the run row is no longer this node's Running run (another node declared it cut off).</summary>
    public bool Lost { get; private set; }

    /// <summary>Cancelled when the run must stop: a cancel request, or the run was taken away.</summary>
    public CancellationToken StopRequested => _stopRequested.Token;

    private readonly CancellationTokenSource _stopRequested = new();

    public IReadOnlyList<DeliveredFile> Delivered
    {
        get { lock (_lock) return [.. _delivered]; }
    }

    public void Start() => _loop = Task.Run(LoopAsync);

    // --- IRunObserver: memory only ---

    public void OnLog(RunLogEntry entry)
    {
        if (entry.Level == RunLogLevel.Debug) return;
        lock (_lock)
        {
            var line = new RunLogLine
            {
                RunId = _runId,
                Sequence = ++_lines,
                Time = entry.Time,
                Level = entry.Level,
                NodeId = RunRequests.Trim(entry.NodeId, 100),
                Message = RunRequests.Trim(entry.Message, RunLogLine.MaxMessageLength)!,
            };
            if (line.Sequence <= RunLogLine.KeptAtStart)
            {
                _head.Add(line);
                return;
            }
            _tail.Enqueue(line);
            while (_tail.Count > RunLogLine.KeptAtEnd) _tail.Dequeue();
        }
    }

    public void OnBlockStateChanged(BlockStats block)
    {
        lock (_lock) _stats[block.NodeId] = block;
    }

    public void OnProgress(IReadOnlyList<BlockStats> blocks)
    {
        lock (_lock)
        {
            foreach (var block in blocks) _stats[block.NodeId] = block;
        }
    }

    public void OnRejected(RejectedRecord record)
    {
        lock (_lock)
        {
            if (_rejects >= RunError.MaxPerRun) return;
            var row = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < record.Schema.Count && i < record.Row.Values.Length; i++) row[record.Schema.Columns[i]] = record.Row.Values[i];
            _errors.Add(new RunError
            {
                RunId = _runId,
                Sequence = ++_rejects,
                NodeId = RunRequests.Trim(record.NodeId, 100)!,
                Code = RunRequests.Trim(record.Code, 100)!,
                Message = RunRequests.Trim(record.Message, RunError.MaxMessageLength)!,
                SourceFile = RunRequests.Trim(record.Row.Source.File, 1024),
                SourceLine = record.Row.Source.Line > 0 ? record.Row.Source.Line : null,
                Row = JsonSerializer.Serialize(row),
            });
        }
    }

    public void OnFileDelivered(DeliveredFile file)
    {
        lock (_lock) _delivered.Add(file);
    }

    // --- persistence ---

    /// <summary>The run's counters as they stand.</summary>
    public RunCounters Counters()
    {
        lock (_lock) return RunCounters.From(_stats.Values, _roles);
    }

    /// <summary>Takes the final counters of the run's blocks.</summary>
    public void Complete(RunResult result)
    {
        lock (_lock)
        {
            foreach (var block in result.Blocks) _stats[block.NodeId] = block;
        }
    }

    /// <summary>Stops the heartbeat loop and saves what is left.</summary>
    public async Task StopAsync()
    {
        await _loopStop.CancelAsync();
        if (_loop is not null) await _loop;
        await SaveAsync(heartbeat: false, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _loopStop.CancelAsync();
        if (_loop is not null) await _loop;
        _loopStop.Dispose();
        _stopRequested.Dispose();
        _saving.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            await SaveAsync(heartbeat: true, _loopStop.Token);
            while (await timer.WaitForNextTickAsync(_loopStop.Token)) await SaveAsync(heartbeat: true, _loopStop.Token);
        }
        catch (OperationCanceledException) when (_loopStop.IsCancellationRequested)
        {
            // The run ended; StopAsync saves the rest.
        }
    }

    /// <summary>
    /// One heartbeat: block stats, new log lines and rejects, counters, then the cancel request. The database
    /// work is never cancelled half-way (a cancelled save would lose lines and rejects): <paramref name="cancellationToken"/>
    /// only stops the wait for the lock. What could not be saved stays in memory for the next save.
    /// </summary>
    internal async Task SaveAsync(bool heartbeat, CancellationToken cancellationToken)
    {
        await _saving.WaitAsync(cancellationToken);
        try
        {
            await using var db = _databases.CreateDbContext();
            await SaveBlocksAsync(db);
            var pending = TakePending();
            db.RunLogLines.AddRange(pending.Head);
            db.RunLogLines.AddRange(pending.Tail);
            db.RunErrors.AddRange(pending.Errors);
            await db.SaveChangesAsync(CancellationToken.None);
            Saved(pending);
            if (pending.DeleteTailUpTo > RunLogLine.KeptAtStart)
            {
                await db.RunLogLines.Where(l => l.RunId == _runId && l.Sequence > RunLogLine.KeptAtStart && l.Sequence <= pending.DeleteTailUpTo)
                    .ExecuteDeleteAsync(CancellationToken.None);
            }
            var counters = Counters();
            var now = _time.GetUtcNow();
            var updated = await db.Runs.Where(r => r.Id == _runId && r.Status == RunStatus.Running && r.Node == _node).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Heartbeat, now)
                .SetProperty(r => r.RowsRead, counters.RowsRead)
                .SetProperty(r => r.RowsWritten, counters.RowsWritten)
                .SetProperty(r => r.RowsRejected, counters.RowsRejected)
                .SetProperty(r => r.FilesRead, counters.FilesRead)
                .SetProperty(r => r.FilesWritten, counters.FilesWritten)
                .SetProperty(r => r.Accuracy, counters.Accuracy)
                .SetProperty(r => r.LogLinesDropped, pending.Dropped), CancellationToken.None);
            if (!heartbeat) return;
            if (updated == 0)
            {
                Lost = true;
                RunTakenAway(_runId, _node);
                await _stopRequested.CancelAsync();
                return;
            }
            var cancel = await db.Runs.AsNoTracking().Where(r => r.Id == _runId)
                .Select(r => new { r.CancelRequested, r.CancelRequestedBy }).SingleAsync(CancellationToken.None);
            if (cancel.CancelRequested is not null && CancelledBy is null)
            {
                CancelledBy = cancel.CancelRequestedBy ?? "someone";
                CancelAsked = cancel.CancelRequested;
                await _stopRequested.CancelAsync();
            }
        }
        catch (Exception ex) when (DatabaseErrors.IsDatabaseFailure(ex))
        {
            // A missed heartbeat is not fatal: the next one tries again (a long outage lets another node take the run over).
            SaveFailed(ex, _runId);
        }
        finally
        {
            _saving.Release();
        }
    }

    private sealed record Pending(List<RunLogLine> Head, List<RunLogLine> Tail, List<RunError> Errors, long DeleteTailUpTo, long Dropped);

    /// <summary>What is not saved yet: new head lines, tail lines not saved yet, rejects; and which saved tail lines fell out of the last <see cref="RunLogLine.KeptAtEnd"/>.</summary>
    private Pending TakePending()
    {
        lock (_lock)
        {
            var head = _head.ToList();
            var tail = _tail.Where(l => l.Sequence > _tailSaved).ToList();
            var errors = _errors.ToList();
            // Entities of a failed save are added again by a new context: let the database give them ids afresh.
            foreach (var line in head.Concat(tail)) line.Id = 0;
            foreach (var error in errors) error.Id = 0;
            return new Pending(head, tail, errors, _lines - RunLogLine.KeptAtEnd, Math.Max(0, _lines - RunLogLine.KeptAtStart - RunLogLine.KeptAtEnd));
        }
    }

    private void Saved(Pending pending)
    {
        lock (_lock)
        {
            _head.RemoveRange(0, pending.Head.Count);
            _errors.RemoveRange(0, pending.Errors.Count);
            if (pending.Tail.Count > 0) _tailSaved = pending.Tail[^1].Sequence;
        }
    }

    private async Task SaveBlocksAsync(ConnectPlusDbContext db)
    {
        List<BlockStats> stats;
        lock (_lock) stats = [.. _stats.Values];
        Dictionary<string, RunBlockStat> rows;
        if (_blockRowsCreated)
            rows = await db.RunBlockStats.Where(s => s.RunId == _runId).ToDictionaryAsync(s => s.NodeId, StringComparer.Ordinal, CancellationToken.None);
        else
        {
            rows = new Dictionary<string, RunBlockStat>(StringComparer.Ordinal);
            _blockRowsCreated = true;
        }
        foreach (var block in stats)
        {
            if (!rows.TryGetValue(block.NodeId, out var row))
            {
                row = new RunBlockStat { RunId = _runId, NodeId = block.NodeId, BlockType = _types.GetValueOrDefault(block.NodeId, block.BlockName), State = "" };
                db.RunBlockStats.Add(row);
            }
            row.RowsIn = block.RowsIn;
            row.RowsOut = block.RowsOut;
            row.FilesIn = block.FilesIn;
            row.FilesOut = block.FilesOut;
            row.Rejected = block.Rejected;
            row.State = block.State.ToString();
            row.DurationMilliseconds = (long)block.Duration.TotalMilliseconds;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run #{RunId} is no longer this node's ({Node}) running run (another node declared it cut off): it stops here.")]
    private partial void RunTakenAway(long runId, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run #{RunId}: the heartbeat could not be saved; trying again at the next one.")]
    private partial void SaveFailed(Exception exception, long runId);
}

/// <summary>What a block counts for in the run's totals.</summary>
internal readonly record struct BlockRole(bool ReadsRows, bool ReadsFiles, bool WritesRows, bool WritesFiles, bool PassesRowsOn)
{
    /// <summary>
    /// The role of each block of a dataflow. Rows written are counted where rows leave the dataflow: destination
    /// blocks that take records (an API sink), and output blocks (Write CSV) that are not fed by a destination
    /// — the success file of an API sink holds rows already counted at the sink.
    /// </summary>
    public static Dictionary<string, BlockRole> Of(DataflowDefinition dataflow, BlockCatalog catalog)
    {
        var descriptors = dataflow.Nodes.ToDictionary(n => n.Id, n => catalog.Find(n.Type), StringComparer.Ordinal);
        var afterDestination = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(descriptors.Where(d => d.Value?.Category == BlockCategory.Destinations).Select(d => d.Key));
        while (pending.TryDequeue(out var node))
        {
            foreach (var edge in dataflow.Edges.Where(e => e.Source.Node == node))
            {
                if (afterDestination.Add(edge.Target.Node)) pending.Enqueue(edge.Target.Node);
            }
        }
        return descriptors.ToDictionary(d => d.Key, d => Of(d.Value, afterDestination.Contains(d.Key)), StringComparer.Ordinal);
    }

    private static BlockRole Of(BlockDescriptor? descriptor, bool afterDestination)
    {
        if (descriptor is null) return default;
        var recordsIn = descriptor.Inputs.Any(i => i.Kind == PortKind.Records);
        var filesIn = descriptor.Inputs.Any(i => i.Kind == PortKind.Files);
        var destination = descriptor.Category == BlockCategory.Destinations;
        var output = descriptor.Category == BlockCategory.Outputs && !afterDestination;
        return new BlockRole(
            ReadsRows: !recordsIn,
            ReadsFiles: descriptor.Inputs.Count == 0,
            WritesRows: recordsIn && (destination || output),
            WritesFiles: destination && filesIn,
            PassesRowsOn: destination && descriptor.Outputs.Any(o => o.Kind == PortKind.Records && !o.Rejected));
    }
}

/// <summary>A run's totals from its blocks' counters.</summary>
internal sealed record RunCounters(long RowsRead, long RowsWritten, long RowsRejected, long FilesRead, long FilesWritten, double? Accuracy)
{
    /// <summary>
    /// Rows read: what blocks without a records input produced (rows out plus rejected, as the engine counts
    /// them); rows written: what destination blocks took (rows passed on by an API sink are its accepted
    /// items' rows, otherwise rows in less rejected); files read: what sources (no input) produced; files
    /// written: what file destinations received; accuracy: rows read not rejected, in percent.
    /// </summary>
    public static RunCounters Empty { get; } = new(0, 0, 0, 0, 0, null);

    public static RunCounters From(IEnumerable<BlockStats> blocks, IReadOnlyDictionary<string, BlockRole> roles)
    {
        long rowsRead = 0, rowsWritten = 0, rejected = 0, filesRead = 0, filesWritten = 0;
        foreach (var block in blocks)
        {
            var role = roles.GetValueOrDefault(block.NodeId);
            rejected += block.Rejected;
            if (role.ReadsRows) rowsRead += block.RowsOut + block.Rejected;
            if (role.WritesRows) rowsWritten += role.PassesRowsOn ? block.RowsOut : Math.Max(0, block.RowsIn - block.Rejected);
            if (role.ReadsFiles) filesRead += block.FilesOut;
            if (role.WritesFiles) filesWritten += block.FilesIn;
        }
        double? accuracy = rowsRead > 0 ? Math.Round(Math.Clamp((rowsRead - rejected) * 100.0 / rowsRead, 0, 100), 2) : null;
        return new RunCounters(rowsRead, rowsWritten, rejected, filesRead, filesWritten, accuracy);
    }
}
