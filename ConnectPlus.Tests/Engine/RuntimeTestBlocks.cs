using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Tests.Engine;

/// <summary>Shared counters between runtime test blocks (reached through RunOptions.Services).</summary>
public sealed class FlowProbe : IServiceProvider
{
    private long _produced, _consumed, _maxInFlight;
    public long Produced => Interlocked.Read(ref _produced);
    public long Consumed => Interlocked.Read(ref _consumed);
    public long MaxInFlight => Interlocked.Read(ref _maxInFlight);
    public string? WorkFolderSeen { get; set; }
    public bool WorkFileExistedDuringRun { get; set; }
    public List<(string Port, long Rows)> Received { get; } = [];

    public void OnProduced()
    {
        var inFlight = Interlocked.Increment(ref _produced) - Consumed;
        long max;
        while (inFlight > (max = MaxInFlight) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max) { }
    }

    public void OnConsumed() => Interlocked.Increment(ref _consumed);
    public object? GetService(Type serviceType) => serviceType == typeof(FlowProbe) ? this : null;
    public static FlowProbe From(BlockContext context) => (FlowProbe)context.Services!.GetService(typeof(FlowProbe))!;
}

public sealed class GenerateSettings
{
    public int Batches { get; set; } = 1;
    public int RowsPerBatch { get; set; } = 10;
    /// <summary>Rows whose index is a multiple of this are rejected (0 = none).</summary>
    public int RejectEvery { get; set; }
    public bool Forever { get; set; }
}

/// <summary>Emits numbered rows; can reject some and can run until cancelled.</summary>
[Block("test-generate", 1, "Test generate", BlockCategory.Sources)]
[Output("records", PortKind.Records)]
[Output("rejected", PortKind.Records, Rejected = true)]
public sealed class GenerateBlock : Block<GenerateSettings>
{
    private static readonly RecordSchema Schema = new(["n", "text"]);

    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        var probe = context.Services?.GetService(typeof(FlowProbe)) as FlowProbe;
        var n = 0;
        for (var b = 0; Settings.Forever || b < Settings.Batches; b++)
        {
            var rows = new List<Record>();
            for (var i = 0; i < Settings.RowsPerBatch; i++, n++)
            {
                var row = new Record([n.ToString(System.Globalization.CultureInfo.InvariantCulture), $"row {n}"], new SourceRef("gen.csv", n + 2));
                if (Settings.RejectEvery > 0 && n % Settings.RejectEvery == 0)
                    await context.RejectAsync(Schema, row, "TEST", $"row {n} is bad", cancellationToken);
                else
                    rows.Add(row);
            }
            await context.WriteAsync("records", new RecordBatch(Schema, [.. rows]), cancellationToken);
            probe?.OnProduced();
        }
    }
}

public sealed class SinkSettings
{
    public int DelayMs { get; set; }
    public string Name { get; set; } = "sink";
    public bool UseWorkFolder { get; set; }
}

/// <summary>Consumes rows, optionally slowly.</summary>
[Block("test-sink", 1, "Test sink", BlockCategory.Destinations)]
[Input("records", PortKind.Records)]
public sealed class SinkBlock : Block<SinkSettings>
{
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        var probe = FlowProbe.From(context);
        if (Settings.UseWorkFolder)
        {
            var file = Path.Combine(context.WorkFolder, "scratch.tmp");
            await File.WriteAllTextAsync(file, "x", cancellationToken);
            probe.WorkFolderSeen = context.WorkFolder;
            probe.WorkFileExistedDuringRun = File.Exists(file);
        }
        long rows = 0;
        await foreach (var batch in context.ReadRecordsAsync("records", cancellationToken))
        {
            if (Settings.DelayMs > 0) await Task.Delay(Settings.DelayMs, cancellationToken);
            rows += batch.Count;
            probe.OnConsumed();
        }
        lock (probe.Received) probe.Received.Add((Settings.Name, rows));
    }
}

public sealed class FailSettings
{
    public int AfterBatches { get; set; }
    public string Message { get; set; } = "boom";
}

/// <summary>Passes batches through, then fails after some of them.</summary>
[Block("test-fail", 1, "Test fail", BlockCategory.Transform)]
[Input("records", PortKind.Records, Required = false)]
[Output("records", PortKind.Records)]
public sealed class FailBlock : Block<FailSettings>
{
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        var seen = 0;
        if (Settings.AfterBatches == 0) throw new BlockException(Settings.Message) { Setting = "message" };
        await foreach (var batch in context.ReadRecordsAsync("records", cancellationToken))
        {
            await context.WriteAsync("records", batch, cancellationToken);
            if (++seen >= Settings.AfterBatches) throw new BlockException(Settings.Message);
        }
    }
}

/// <summary>Reads input "a" to the end, then input "b": the shape of a hash join.</summary>
[Block("test-two-inputs", 1, "Test two inputs", BlockCategory.Transform)]
[Input("a", PortKind.Records)]
[Input("b", PortKind.Records)]
[Output("records", PortKind.Records)]
public sealed class TwoInputsBlock : Block<SinkSettings>
{
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        await foreach (var batch in context.ReadRecordsAsync("b", cancellationToken)) { _ = batch; }
        await foreach (var batch in context.ReadRecordsAsync("a", cancellationToken))
            await context.WriteAsync("records", batch, cancellationToken);
    }
}

public sealed class RulesSettings : IValidatableObject
{
    [Required(ErrorMessage = "Give a name.")]
    public string? Name { get; set; }

    [Range(1, 10)]
    public int Size { get; set; } = 1;

    public int Min { get; set; }
    public int Max { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Min > Max) yield return new ValidationResult("Min must not exceed Max.", [nameof(Max)]);
    }
}

/// <summary>A block whose settings have rules, for validator tests.</summary>
[Block("test-rules", 1, "Test rules", BlockCategory.Transform)]
[Input("files", PortKind.Files)]
[Output("records", PortKind.Records)]
public sealed class RulesBlock : Block<RulesSettings>
{
    public override Task RunAsync(BlockContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
