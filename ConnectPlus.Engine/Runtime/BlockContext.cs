using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Runtime;

/// <summary>
/// A block's view of its run: its inputs and outputs by port name, rejection of rows, logging,
/// its work folder and run facts. Reading and writing through the context keeps the counters.
/// </summary>
public sealed class BlockContext
{
    private readonly RunExecution _run;
    private readonly Dictionary<string, object> _inputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<object>> _outputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sharedInputs = new(StringComparer.Ordinal);
    private readonly PortDescriptor? _rejectedPort;
    private RecordBatchBuilder? _rejects;

    internal BlockContext(RunExecution run, string nodeId, string? label, BlockDescriptor descriptor, BlockStats stats)
    {
        _run = run;
        NodeId = nodeId;
        Label = label;
        Descriptor = descriptor;
        Stats = stats;
        _rejectedPort = descriptor.Outputs.FirstOrDefault(p => p.Rejected);
        WorkFolder = Path.Combine(run.WorkFolder, nodeId);
    }

    /// <summary>The node id in the dataflow.</summary>
    public string NodeId { get; }

    /// <summary>The caption given on the canvas, if any.</summary>
    public string? Label { get; }

    /// <summary>The block type's description.</summary>
    public BlockDescriptor Descriptor { get; }

    /// <summary>Live counters of this block.</summary>
    public BlockStats Stats { get; }

    /// <summary>This block's private folder inside the run's work folder (removed when the run ends).</summary>
    public string WorkFolder { get; }

    /// <summary>Run id.</summary>
    public string RunId => _run.Options.RunId;

    /// <summary>The name of the dataflow being run (keys what a block keeps between runs, such as delivery checkpoints).</summary>
    public string DataflowName => _run.DataflowName;

    /// <summary>When the run started.</summary>
    public DateTimeOffset RunStarted => _run.Started;

    /// <summary>Rows per batch to produce.</summary>
    public int BatchSize => _run.Options.BatchSize;

    /// <summary>The run's clock.</summary>
    public TimeProvider Time => _run.Options.Time;

    /// <summary>Services supplied by the host, if any.</summary>
    public IServiceProvider? Services => _run.Options.Services;

    /// <summary>"block 'members' (Read CSV)": how messages name this block.</summary>
    public string DisplayName => $"block '{Label ?? NodeId}' ({Descriptor.Name})";

    /// <summary>Whether a link is attached to the named input or output port.</summary>
    public bool IsConnected(string port) => _inputs.ContainsKey(port) || _outputs.ContainsKey(port);

    /// <summary>
    /// True when leaving input <paramref name="unread"/> unread can stop rows from reaching input
    /// <paramref name="other"/> (they share an upstream block through bounded record links). A block that
    /// reads one input to the end before another (a hash join) must read ahead only in that case.
    /// </summary>
    public bool MayStarve(string unread, string other) => _run.Topology.MayStarve(NodeId, unread, other);

    /// <summary>The blocks (and their input ports) that receive what this block writes to <paramref name="port"/>.</summary>
    public IReadOnlyList<(IBlock Block, string Port)> ReceiversOf(string port) => _run.ReceiversOf(NodeId, port);

    /// <summary>
    /// Whether this block alone receives what arrives on an input port: the output that feeds it has
    /// no other link. Such a block may take over the files it receives from the run's work folder
    /// (move rather than copy them), since no other block will open them.
    /// </summary>
    public bool IsSoleReceiver(string port) => _inputs.ContainsKey(port) && !_sharedInputs.Contains(port);

    /// <summary>Reads the files arriving on an input port (nothing when it is not connected).</summary>
    public async IAsyncEnumerable<FileItem> ReadFilesAsync(string port, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Input<FileItem>(port, PortKind.Files) is not { } reader) yield break;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var file))
            {
                Stats.AddFilesIn(1);
                yield return file;
            }
        }
    }

    /// <summary>Reads the record batches arriving on an input port (nothing when it is not connected).</summary>
    public async IAsyncEnumerable<RecordBatch> ReadRecordsAsync(string port, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Input<RecordBatch>(port, PortKind.Records) is not { } reader) yield break;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var batch))
            {
                Stats.AddRowsIn(batch.Count);
                yield return batch;
            }
        }
    }

    /// <summary>Sends a file to every link of an output port (waits while a link is full).</summary>
    public async ValueTask WriteAsync(string port, FileItem file, CancellationToken cancellationToken)
    {
        var writers = Outputs(port, PortKind.Files);
        Stats.AddFilesOut(1);
        foreach (ChannelWriter<FileItem> writer in writers)
            await writer.WriteAsync(file, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a batch to every link of an output port (waits while a link is full: backpressure).</summary>
    public async ValueTask WriteAsync(string port, RecordBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var writers = Outputs(port, PortKind.Records);
        if (batch.Count == 0) return;
        Stats.AddRowsOut(batch.Count);
        foreach (ChannelWriter<RecordBatch> writer in writers)
            await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rejects a row with a code and a reason. It goes to the block's rejected output when linked,
    /// otherwise to the run's error file. Rejecting never stops the run unless the dataflow's
    /// error threshold is crossed.
    /// </summary>
    public async ValueTask RejectAsync(RecordSchema schema, Record row, string code, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Stats.AddRejected(1);
        var rejected = new RejectedRecord(NodeId, schema, row, code, message);
        if (_rejectedPort is not null && _outputs.ContainsKey(_rejectedPort.Name))
        {
            var rejectSchema = _run.RejectSchemaFor(schema);
            if (_rejects is not null && !ReferenceEquals(_rejects.Schema, rejectSchema))
            {
                // Rows of another schema start a new batch (and a builder of their own schema).
                await FlushRejectsAsync(cancellationToken).ConfigureAwait(false);
                _rejects = null;
            }
            _rejects ??= new RecordBatchBuilder(rejectSchema, BatchSize);
            if (_rejects.Add(new Record(RejectValues(rejected), row.Source)))
                await FlushRejectsAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _run.ErrorFile.Add(rejected);
            _run.Observer?.OnRejected(rejected);
        }
        _run.OnRejected(NodeId);
    }

    /// <summary>A destination tells the run it delivered a file (the host shows it, e.g. as the run's success file).</summary>
    public void ReportDelivered(string where) => _run.OnDelivered(NodeId, where);

    /// <summary>Writes a line to the run log.</summary>
    public void Log(RunLogLevel level, string message) => _run.Log(level, NodeId, message);

    internal async ValueTask FlushRejectsAsync(CancellationToken cancellationToken)
    {
        if (_rejects is null || _rejects.Count == 0 || _rejectedPort is null) return;
        var batch = _rejects.Take();
        foreach (ChannelWriter<RecordBatch> writer in Outputs(_rejectedPort.Name, PortKind.Records))
            await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    internal void ConnectInput(string port, object reader, bool shared = false)
    {
        _inputs[port] = reader;
        if (shared) _sharedInputs.Add(port);
    }

    internal void ConnectOutput(string port, object writer)
    {
        if (!_outputs.TryGetValue(port, out var list)) _outputs[port] = list = [];
        list.Add(writer);
    }

    internal void CompleteOutputs(Exception? error)
    {
        foreach (var writer in _outputs.Values.SelectMany(w => w))
        {
            switch (writer)
            {
                case ChannelWriter<FileItem> files: files.TryComplete(error); break;
                case ChannelWriter<RecordBatch> records: records.TryComplete(error); break;
            }
        }
    }

    internal static string?[] RejectValues(RejectedRecord rejected)
    {
        var original = rejected.Row.Values;
        var width = rejected.Schema.Count;
        var values = new string?[width + RejectedRecord.ErrorColumns.Count];
        Array.Copy(original, values, Math.Min(original.Length, width));
        values[width] = rejected.NodeId;
        values[width + 1] = rejected.Code;
        values[width + 2] = rejected.Message;
        values[width + 3] = rejected.Row.Source.File;
        values[width + 4] = rejected.Row.Source.Line > 0 ? rejected.Row.Source.Line.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return values;
    }

    private ChannelReader<T>? Input<T>(string port, PortKind kind)
    {
        var declared = Descriptor.FindInput(port)
            ?? throw new InvalidOperationException($"{DisplayName} has no input port '{port}'.");
        if (declared.Kind != kind)
            throw new InvalidOperationException($"{DisplayName} input '{port}' carries {declared.Kind}, not {kind}.");
        return _inputs.TryGetValue(port, out var reader) ? (ChannelReader<T>)reader : null;
    }

    private List<object> Outputs(string port, PortKind kind)
    {
        var declared = Descriptor.FindOutput(port)
            ?? throw new InvalidOperationException($"{DisplayName} has no output port '{port}'.");
        if (declared.Kind != kind)
            throw new InvalidOperationException($"{DisplayName} output '{port}' carries {declared.Kind}, not {kind}.");
        return _outputs.TryGetValue(port, out var writers) ? writers : [];
    }
}
