using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Validation;

namespace ConnectPlus.Engine.Runtime;

/// <summary>
/// Runs a dataflow: validates it, then starts one task per block with a bounded channel per link.
/// A failing block ends the run with its error; cancelling the token cancels the run.
/// </summary>
public sealed class DataflowRunner(BlockCatalog catalog)
{
    /// <summary>A runner over the engine's own blocks.</summary>
    public DataflowRunner() : this(BlockCatalog.Default) { }

    /// <summary>Validates and runs the dataflow once.</summary>
    public async Task<RunResult> RunAsync(DataflowDefinition dataflow, RunOptions? options = null, IRunObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataflow);
        options ??= new RunOptions();
        var issues = new DataflowValidator(catalog).Validate(dataflow).Where(i => i.Severity == IssueSeverity.Error).ToList();
        if (issues.Count > 0)
        {
            return new RunResult
            {
                RunId = options.RunId,
                Outcome = RunOutcome.Failed,
                FailedNodeId = issues[0].NodeId,
                Error = "The dataflow is not valid:" + Environment.NewLine + string.Join(Environment.NewLine, issues.Select(i => "  " + i)),
                Started = options.Time.GetUtcNow(),
                Duration = TimeSpan.Zero,
                Blocks = [],
                ErrorFiles = [],
                Issues = issues,
            };
        }
        using var execution = new RunExecution(catalog, dataflow, options, observer);
        return await execution.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }
}
