using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Model;

namespace ConnectPlus.Engine.Runtime;

/// <summary>One run of a validated dataflow: the wiring, the tasks, the outcome.</summary>
internal sealed class RunExecution : IDisposable
{
    private const int LogLimit = 1000;
    private readonly BlockCatalog _catalog;
    private readonly DataflowDefinition _dataflow;
    private readonly List<(NodeDefinition Node, IBlock Block, BlockContext Context)> _nodes = [];
    private readonly ConcurrentQueue<RunLogEntry> _log = new();
    private readonly ConcurrentQueue<DeliveredFile> _delivered = new();
    private readonly ConcurrentDictionary<RecordSchema, RecordSchema> _rejectSchemas = new();
    private readonly Lock _failureLock = new();
    private readonly CancellationTokenSource _runCts = new();
    private (string NodeId, string Message)? _failure;
    private long _totalRejected;

    public RunExecution(BlockCatalog catalog, DataflowDefinition dataflow, RunOptions options, IRunObserver? observer)
    {
        _catalog = catalog;
        _dataflow = dataflow;
        Options = options;
        Observer = observer;
        Started = options.Time.GetUtcNow();
        WorkFolder = Path.Combine(options.WorkRoot, options.RunId);
        ErrorFile = new ErrorFileWriter(Path.Combine(options.OutputFolder, options.RunId));
    }

    public RunOptions Options { get; }
    public IRunObserver? Observer { get; }
    public DateTimeOffset Started { get; }
    public string WorkFolder { get; }
    public ErrorFileWriter ErrorFile { get; }
    public RunTopology Topology { get; private set; } = null!;
    public string DataflowName => _dataflow.Name;

    public async Task<RunResult> ExecuteAsync(CancellationToken cancellationToken)
    {
        using var link = cancellationToken.Register(() => _runCts.Cancel());
        var clock = Stopwatch.StartNew();
        try
        {
            Wire();
            Log(RunLogLevel.Info, null, $"Run {Options.RunId} of '{_dataflow.Name}' started ({_nodes.Count} blocks).");
            using var progress = StartProgress();
            await Task.WhenAll(_nodes.Select(n => Task.Run(() => RunNodeAsync(n.Block, n.Context), CancellationToken.None))).ConfigureAwait(false);
            await _runCts.CancelAsync().ConfigureAwait(false); // stops the progress loop
            var outcome = Outcome(cancellationToken);
            await CompleteBlocksAsync(outcome).ConfigureAwait(false);
            ErrorFile.Complete();
            clock.Stop();
            Log(outcome == RunOutcome.Failed ? RunLogLevel.Error : RunLogLevel.Info, null,
                $"Run ended: {outcome} in {clock.Elapsed.TotalSeconds:0.00} s, {Interlocked.Read(ref _totalRejected)} rows rejected.");
            return new RunResult
            {
                RunId = Options.RunId,
                Outcome = outcome,
                FailedNodeId = _failure?.NodeId,
                Error = outcome == RunOutcome.Cancelled ? "The run was cancelled." : _failure?.Message,
                Started = Started,
                Duration = clock.Elapsed,
                Blocks = [.. _nodes.Select(n => n.Context.Stats)],
                ErrorFiles = ErrorFile.Files,
                ErrorFile = ErrorFile.RunFile,
                DeliveredFiles = [.. _delivered],
                Log = [.. _log],
            };
        }
        finally
        {
            RemoveWorkFolder();
        }
    }

    public void Dispose()
    {
        ErrorFile.Dispose();
        _runCts.Dispose();
    }

    public RecordSchema RejectSchemaFor(RecordSchema schema) =>
        _rejectSchemas.GetOrAdd(schema, s => new RecordSchema(s.Columns.Concat(RejectedRecord.ErrorColumns)));

    public void Log(RunLogLevel level, string? nodeId, string message)
    {
        var entry = new RunLogEntry(Options.Time.GetUtcNow(), level, nodeId, message);
        _log.Enqueue(entry);
        while (_log.Count > LogLimit) _log.TryDequeue(out _);
        Observer?.OnLog(entry);
    }

    public void OnDelivered(string nodeId, string where)
    {
        var file = new DeliveredFile(nodeId, where);
        _delivered.Enqueue(file);
        Observer?.OnFileDelivered(file);
    }

    public void OnRejected(string nodeId)
    {
        var total = Interlocked.Increment(ref _totalRejected);
        var options = _dataflow.Options;
        if (options.MaxErrors is { } max && total > max)
        {
            Fail(nodeId, $"The run stopped: {total} rows were rejected, more than the dataflow's limit of {max} (Options → Max errors). See the error file for the reasons.");
            return;
        }
        if (options.MaxErrorRatePercent is { } rate)
        {
            var read = RowsRead();
            if (read >= options.ErrorRateMinimumRows && total * 100.0 / read > rate)
                Fail(nodeId, $"The run stopped: {total} of {read} rows rejected ({total * 100.0 / read:0.#}%), above the dataflow's limit of {rate}% (Options → Max error rate). See the error file for the reasons.");
        }
    }

    /// <summary>The blocks and input ports linked to output <paramref name="port"/> of <paramref name="nodeId"/>.</summary>
    internal IReadOnlyList<(IBlock Block, string Port)> ReceiversOf(string nodeId, string port) =>
        [.. _dataflow.Edges
            .Where(e => e.Source.Node == nodeId && e.Source.Port == port)
            .Select(e => (_nodes.First(n => n.Node.Id == e.Target.Node).Block, e.Target.Port))];

    private long RowsRead() =>
        _nodes.Where(n => n.Context.Descriptor.Inputs.All(i => i.Kind != PortKind.Records))
              .Sum(n => n.Context.Stats.RowsOut + n.Context.Stats.Rejected);

    private void Wire()
    {
        foreach (var node in _dataflow.Nodes)
        {
            var descriptor = _catalog.Find(node.Type)!;
            var block = descriptor.CreateBlock();
            var settingsProperty = descriptor.BlockType.GetProperty(nameof(Block<object>.Settings))!;
            settingsProperty.SetValue(block, SettingsBinder.Bind(descriptor, node.Settings));
            var stats = new BlockStats(node.Id, descriptor.Name);
            _nodes.Add((node, block, new BlockContext(this, node.Id, node.Label, descriptor, stats)));
        }
        var contexts = _nodes.ToDictionary(n => n.Node.Id, n => n.Context, StringComparer.Ordinal);
        Topology = new RunTopology(_dataflow, port => contexts[port.Node].Descriptor.FindOutput(port.Port)!.Kind);
        var linksFrom = _dataflow.Edges.CountBy(e => e.Source).ToDictionary();
        foreach (var edge in _dataflow.Edges)
        {
            var from = edge.Source;
            var to = edge.Target;
            var kind = contexts[from.Node].Descriptor.FindOutput(from.Port)!.Kind;
            if (kind == PortKind.Files)
            {
                // File items are small handles to data on disk; an unbounded link cannot deadlock a
                // fan-out that feeds both sides of a join.
                var channel = Channel.CreateUnbounded<FileItem>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
                contexts[from.Node].ConnectOutput(from.Port, channel.Writer);
                contexts[to.Node].ConnectInput(to.Port, channel.Reader, shared: linksFrom[from] > 1);
            }
            else
            {
                var channel = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(Math.Max(1, Options.ChannelCapacity))
                {
                    FullMode = BoundedChannelFullMode.Wait,
                    SingleReader = true,
                    SingleWriter = true,
                });
                contexts[from.Node].ConnectOutput(from.Port, channel.Writer);
                contexts[to.Node].ConnectInput(to.Port, channel.Reader, shared: linksFrom[from] > 1);
            }
        }
        Directory.CreateDirectory(WorkFolder);
        foreach (var (_, _, context) in _nodes) Directory.CreateDirectory(context.WorkFolder);
    }

    private async Task RunNodeAsync(IBlock block, BlockContext context)
    {
        var clock = Stopwatch.StartNew();
        SetState(context, BlockState.Running);
        try
        {
            await block.RunAsync(context, _runCts.Token).ConfigureAwait(false);
            await context.FlushRejectsAsync(_runCts.Token).ConfigureAwait(false);
            context.CompleteOutputs(null);
            context.Stats.Duration = clock.Elapsed;
            SetState(context, BlockState.Completed);
        }
        catch (Exception ex)
        {
            var cascade = ex is UpstreamFailedException || (ex is OperationCanceledException && _runCts.IsCancellationRequested);
            if (!cascade) Fail(context.NodeId, Describe(context, ex), ex);
            context.CompleteOutputs(new UpstreamFailedException($"Input ended early because {context.DisplayName} stopped."));
            context.Stats.Duration = clock.Elapsed;
            SetState(context, cascade ? BlockState.Cancelled : BlockState.Failed);
        }
    }

    private void Fail(string nodeId, string message, Exception? exception = null)
    {
        lock (_failureLock)
        {
            if (_failure is not null) return;
            _failure = (nodeId, message);
        }
        Log(RunLogLevel.Error, nodeId, exception is null or BlockException ? message : $"{message}{Environment.NewLine}{exception}");
        _runCts.Cancel();
    }

    private static string Describe(BlockContext context, Exception ex)
    {
        var reason = ex switch
        {
            BlockException or IOException or UnauthorizedAccessException or InvalidDataException or Connectors.ConnectionException => ex.Message,
            _ => $"{ex.GetType().Name}: {ex.Message}",
        };
        return $"{char.ToUpperInvariant(context.DisplayName[0])}{context.DisplayName[1..]} failed: {reason}";
    }

    private RunOutcome Outcome(CancellationToken cancellationToken)
    {
        if (_failure is not null) return RunOutcome.Failed;
        if (cancellationToken.IsCancellationRequested) return RunOutcome.Cancelled;
        return Interlocked.Read(ref _totalRejected) > 0 ? RunOutcome.SucceededWithErrors : RunOutcome.Succeeded;
    }

    private async Task CompleteBlocksAsync(RunOutcome outcome)
    {
        foreach (var (_, block, context) in _nodes)
        {
            if (block is not IRunCompletionHandler handler) continue;
            try
            {
                await handler.OnRunCompletedAsync(context, outcome, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BlockException)
            {
                // The data has been delivered; a failed move is reported, not turned into a failed run.
                Log(RunLogLevel.Warning, context.NodeId, $"After the run, {context.DisplayName} could not finish: {ex.Message}");
            }
        }
    }

    private IDisposable StartProgress()
    {
        if (Observer is null) return new CancellationTokenSource();
        var timer = new PeriodicTimer(Options.ProgressInterval, Options.Time);
        _ = Task.Run(async () =>
        {
            try
            {
                while (await timer.WaitForNextTickAsync(_runCts.Token).ConfigureAwait(false))
                    Observer.OnProgress([.. _nodes.Select(n => n.Context.Stats)]);
            }
            catch (OperationCanceledException)
            {
                // The run ended.
            }
        }, CancellationToken.None);
        return timer;
    }

    private void SetState(BlockContext context, BlockState state)
    {
        context.Stats.State = state;
        Observer?.OnBlockStateChanged(context.Stats);
    }

    private void RemoveWorkFolder()
    {
        if (Options.KeepWorkFolder || !Directory.Exists(WorkFolder)) return;
        try
        {
            Directory.Delete(WorkFolder, recursive: true);
        }
        catch (IOException ex)
        {
            Log(RunLogLevel.Warning, null, $"Could not remove the work folder {WorkFolder}: {ex.Message}");
        }
    }
}
