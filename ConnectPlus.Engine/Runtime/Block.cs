namespace ConnectPlus.Engine.Runtime;

/// <summary>A runnable block: reads its inputs and writes its outputs through the <see cref="BlockContext"/>.</summary>
public interface IBlock
{
    /// <summary>Runs the block until its inputs are exhausted (or it has nothing more to produce).</summary>
    Task RunAsync(BlockContext context, CancellationToken cancellationToken);
}

/// <summary>Base class of every block: a settings record plus the code that runs it.</summary>
/// <typeparam name="TSettings">The settings record; its properties, attributes and <c>///</c> comments describe the block's settings.</typeparam>
public abstract class Block<TSettings> : IBlock where TSettings : class, new()
{
    /// <summary>The validated settings of this block instance.</summary>
    public TSettings Settings { get; set; } = new();

    /// <inheritdoc />
    public abstract Task RunAsync(BlockContext context, CancellationToken cancellationToken);
}

/// <summary>
/// Implemented by blocks that act once the whole run has ended, knowing its outcome
/// (e.g. a source that moves its files to the processed or error folder).
/// </summary>
public interface IRunCompletionHandler
{
    /// <summary>Called after every block has finished, before the work folder is removed.</summary>
    Task OnRunCompletedAsync(BlockContext context, RunOutcome outcome, CancellationToken cancellationToken);
}

/// <summary>
/// A fault a user can act on, raised by a block: the message names the block setting, the file and
/// line where known, and what to do. The runner adds the block's id and name.
/// </summary>
public class BlockException : Exception
{
    public BlockException() { }
    public BlockException(string message) : base(message) { }
    public BlockException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The setting at fault, when there is one.</summary>
    public string? Setting { get; init; }

    /// <summary>The file at fault, when there is one.</summary>
    public string? File { get; init; }
}

/// <summary>Raised in a block whose input ended because an upstream block failed; not a cause of its own.</summary>
public sealed class UpstreamFailedException : Exception
{
    public UpstreamFailedException() { }
    public UpstreamFailedException(string message) : base(message) { }
    public UpstreamFailedException(string message, Exception inner) : base(message, inner) { }
}
