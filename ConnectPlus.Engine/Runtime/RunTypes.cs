using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Runtime;

/// <summary>How a run ended.</summary>
public enum RunOutcome
{
    Succeeded,
    SucceededWithErrors,
    Failed,
    Cancelled,
}

/// <summary>Severity of a run log line.</summary>
public enum RunLogLevel
{
    Debug,
    Info,
    Warning,
    Error,
}

/// <summary>One line of a run's log.</summary>
public sealed record RunLogEntry(DateTimeOffset Time, RunLogLevel Level, string? NodeId, string Message)
{
    public override string ToString() =>
        $"{Time:HH:mm:ss.fff} {Level.ToString().ToUpperInvariant(),-7} {(NodeId is null ? "" : $"[{NodeId}] ")}{Message}";
}

/// <summary>A row that a block refused, with the reason.</summary>
public sealed record RejectedRecord(
    string NodeId,
    RecordSchema Schema,
    Record Row,
    string Code,
    string Message)
{
    /// <summary>The names of the columns added to rejected rows, in order.</summary>
    public static IReadOnlyList<string> ErrorColumns { get; } =
        ["error_block", "error_code", "error_message", "source_file", "source_line"];
}

/// <summary>A file a destination block delivered: where it now is, as the destination names it.</summary>
/// <param name="NodeId">The destination block.</param>
/// <param name="Where">Its final path, e.g. <c>/data/results/bills_delivered_20250102-030405.csv</c> or <c>sftp://user@host:22/out/x.csv</c>.</param>
public sealed record DeliveredFile(string NodeId, string Where);

/// <summary>Counters of one block in a run (updated live while it runs).</summary>
public sealed class BlockStats(string nodeId, string blockName)
{
    private long _rowsIn, _rowsOut, _filesIn, _filesOut, _rejected;

    public string NodeId { get; } = nodeId;
    public string BlockName { get; } = blockName;
    public long RowsIn => Interlocked.Read(ref _rowsIn);
    public long RowsOut => Interlocked.Read(ref _rowsOut);
    public long FilesIn => Interlocked.Read(ref _filesIn);
    public long FilesOut => Interlocked.Read(ref _filesOut);
    public long Rejected => Interlocked.Read(ref _rejected);
    public BlockState State { get; internal set; } = BlockState.Waiting;
    public TimeSpan Duration { get; internal set; }

    internal void AddRowsIn(long n) => Interlocked.Add(ref _rowsIn, n);
    internal void AddRowsOut(long n) => Interlocked.Add(ref _rowsOut, n);
    internal void AddFilesIn(long n) => Interlocked.Add(ref _filesIn, n);
    internal void AddFilesOut(long n) => Interlocked.Add(ref _filesOut, n);
    internal void AddRejected(long n) => Interlocked.Add(ref _rejected, n);

    /// <summary>Input count in the block's own unit: rows when it reads rows, otherwise files.</summary>
    public long In => RowsIn > 0 || FilesIn == 0 ? RowsIn : FilesIn;

    /// <summary>Output count in the block's own unit: rows when it writes rows, otherwise files.</summary>
    public long Out => RowsOut > 0 || FilesOut == 0 ? RowsOut : FilesOut;
}

/// <summary>Where a block is in its life within a run.</summary>
public enum BlockState
{
    Waiting,
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>What a run produced.</summary>
public sealed record RunResult
{
    public required string RunId { get; init; }
    public required RunOutcome Outcome { get; init; }

    /// <summary>The block whose failure ended the run, when it failed.</summary>
    public string? FailedNodeId { get; init; }

    /// <summary>Why the run failed or was cancelled, in words a user can act on.</summary>
    public string? Error { get; init; }

    public required DateTimeOffset Started { get; init; }
    public required TimeSpan Duration { get; init; }
    public required IReadOnlyList<BlockStats> Blocks { get; init; }

    /// <summary>Error files written (rejected rows that no block link took), one per block (and input shape).</summary>
    public required IReadOnlyList<string> ErrorFiles { get; init; }

    /// <summary>
    /// The run's one error file, with every row in <see cref="ErrorFiles"/>: <c>errors.csv</c> joining them
    /// when there are several (the union of their columns), the only one when there is one, else null.
    /// </summary>
    public string? ErrorFile { get; init; }

    /// <summary>Files the destination blocks delivered, in order (e.g. the success file of an API sink's succeeded rows).</summary>
    public IReadOnlyList<DeliveredFile> DeliveredFiles { get; init; } = [];

    /// <summary>Validation issues that kept the run from starting.</summary>
    public IReadOnlyList<Validation.ValidationIssue> Issues { get; init; } = [];

    /// <summary>The last lines of the run log (bounded).</summary>
    public IReadOnlyList<RunLogEntry> Log { get; init; } = [];

    /// <summary>Total rejected rows.</summary>
    public long Rejected => Blocks.Sum(b => b.Rejected);

    /// <summary>True for Succeeded and SucceededWithErrors.</summary>
    public bool IsSuccess => Outcome is RunOutcome.Succeeded or RunOutcome.SucceededWithErrors;
}

/// <summary>Receives what happens during a run. Calls come from several threads; keep them quick.</summary>
public interface IRunObserver
{
    /// <summary>A log line was written.</summary>
    void OnLog(RunLogEntry entry) { }

    /// <summary>A block changed state.</summary>
    void OnBlockStateChanged(BlockStats block) { }

    /// <summary>A row was rejected and no link took it: it goes to the run's error file.</summary>
    void OnRejected(RejectedRecord record) { }

    /// <summary>A destination block delivered a file.</summary>
    void OnFileDelivered(DeliveredFile file) { }

    /// <summary>Periodic snapshot of the counters (see <see cref="RunOptions.ProgressInterval"/>).</summary>
    void OnProgress(IReadOnlyList<BlockStats> blocks) { }
}

/// <summary>How to run: identity, folders, sizes, services.</summary>
public sealed record RunOptions
{
    /// <summary>Run id; used in file names and logs.</summary>
    public string RunId { get; init; } = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Parent of the run-scoped work folders (removed when the run ends).</summary>
    public string WorkRoot { get; init; } = Path.Combine(Path.GetTempPath(), "connectplus", "work");

    /// <summary>Folder that receives the run's error files.</summary>
    public string OutputFolder { get; init; } = Path.Combine(Environment.CurrentDirectory, "runs");

    /// <summary>Rows per batch produced by sources and parsers.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>Record batches a link holds before its writer waits (backpressure).</summary>
    public int ChannelCapacity { get; init; } = 4;

    /// <summary>How often <see cref="IRunObserver.OnProgress"/> is called.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Clock (faked in tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Services for blocks that need them (connections, secrets, ledgers).</summary>
    public IServiceProvider? Services { get; init; }

    /// <summary>Keep the work folder after the run (diagnostics).</summary>
    public bool KeepWorkFolder { get; init; }
}
