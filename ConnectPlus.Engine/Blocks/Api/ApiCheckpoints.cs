using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>What API sinks do with their checkpoints when a run ends.</summary>
internal static class ApiCheckpoints
{
    /// <summary>
    /// After a successful run, the files the sink delivered are done (the source moves them away), so
    /// their checkpoints go. After a failed or cancelled run they stay: the next run resumes from them.
    /// </summary>
    public static async Task ForgetDeliveredAsync(BlockContext context, RunOutcome outcome, IReadOnlyCollection<string> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0) return;
        if (context.Services?.GetService(typeof(ICheckpointStore)) is not ICheckpointStore store) return;
        if (outcome is not (RunOutcome.Succeeded or RunOutcome.SucceededWithErrors))
        {
            context.Log(RunLogLevel.Info, $"The run did not succeed: the delivery checkpoints of {string.Join(", ", sources)} are kept, and the next run resumes from them.");
            return;
        }
        await store.ForgetAsync(context.DataflowName, context.NodeId, sources, cancellationToken).ConfigureAwait(false);
    }
}
