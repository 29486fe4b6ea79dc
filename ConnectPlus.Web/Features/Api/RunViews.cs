using System.Text.Json.Nodes;
using ConnectPlus.Web.Data;

namespace ConnectPlus.Web.Features.Api;

/// <summary>A run in a list.</summary>
public sealed record RunSummaryView
{
    public required long Id { get; init; }
    public required int DataflowId { get; init; }
    public required string DataflowName { get; init; }

    /// <summary>The number of the version that ran.</summary>
    public required int Version { get; init; }

    public required RunStatus Status { get; init; }
    public required RunTrigger Trigger { get; init; }
    public string? TriggeredBy { get; init; }
    public required DateTimeOffset Queued { get; init; }
    public DateTimeOffset? Started { get; init; }
    public DateTimeOffset? Ended { get; init; }
    public required long RowsRead { get; init; }
    public required long RowsWritten { get; init; }
    public required long RowsRejected { get; init; }

    /// <summary>Percentage of rows read that were not rejected; null until rows were read.</summary>
    public double? Accuracy { get; init; }
}

/// <summary>A run with its counts per block, error sample and links to its files.</summary>
public sealed record RunDetailsView
{
    public required RunSummaryView Run { get; init; }

    /// <summary>The engine's run id: the run's folder under the runs folder.</summary>
    public required string Key { get; init; }

    /// <summary>The machine that ran it.</summary>
    public string? Node { get; init; }

    /// <summary>The interrupted run this one resumes or retries.</summary>
    public long? ResumeOf { get; init; }

    /// <summary>From start to end (or to the last heartbeat of a running run).</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>When someone asked it to stop, and who.</summary>
    public DateTimeOffset? CancelRequested { get; init; }

    public string? CancelRequestedBy { get; init; }

    public required long FilesRead { get; init; }
    public required long FilesWritten { get; init; }

    /// <summary>Why it failed or was cancelled.</summary>
    public string? Error { get; init; }

    /// <summary>The block whose failure ended it.</summary>
    public string? FailedNodeId { get; init; }

    public required IReadOnlyList<RunBlockView> Blocks { get; init; }

    /// <summary>The first rejected rows (the error file has them all).</summary>
    public required IReadOnlyList<RunErrorView> ErrorSample { get; init; }

    /// <summary>Rejected rows kept in the database for this run (at most 1,000; the error file has them all).</summary>
    public required int ErrorSampleTotal { get; init; }

    /// <summary>Where to download the error file; null when the run has none.</summary>
    public string? ErrorFileUrl { get; init; }

    /// <summary>Whether the run wrote a success file (rows delivered, with the server's answers).</summary>
    public required bool HasSuccessFile { get; init; }

    public required string LogUrl { get; init; }
}

/// <summary>One block's counters in a run.</summary>
public sealed record RunBlockView(string NodeId, string BlockType, string State, long RowsIn, long RowsOut, long FilesIn, long FilesOut, long Rejected, long DurationMilliseconds);

/// <summary>A rejected row of the error sample.</summary>
public sealed record RunErrorView(int Sequence, string NodeId, string Code, string Message, string? SourceFile, long? SourceLine, JsonObject? Row);

/// <summary>A queued run: where to follow it.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Status">Queued.</param>
/// <param name="Url">GET it for its status.</param>
public sealed record RunAccepted(long RunId, RunStatus Status, string Url);

/// <summary>A cancellation asked for.</summary>
public sealed record RunCancelRequested(long RunId, bool CancelRequested);

/// <summary>A run to start.</summary>
/// <param name="Version">The version number to run; the published version when absent.</param>
public sealed record TriggerRunRequest(int? Version);
