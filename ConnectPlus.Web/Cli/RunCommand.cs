using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Web.Hosting;

namespace ConnectPlus.Web.Cli;

/// <summary>
/// <c>run --flow FILE [--set node.setting=value]…</c>: one headless run of a dataflow file; prints
/// the log, per-block counts, rows/s and duration; exits 0 on success (also with rejected rows),
/// 1 when the run failed, 2 on bad arguments or an invalid dataflow, 130 when cancelled (Ctrl+C).
/// </summary>
internal static class RunCommand
{
    public static async Task<int> ExecuteAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        var parsed = RunArguments.Parse(args);
        if (parsed.Error is not null)
        {
            await error.WriteLineAsync($"{parsed.Error}{Environment.NewLine}{CliCommands.Usage}");
            return CliCommands.UsageError;
        }

        var catalog = BlockCatalog.Default;
        DataflowDefinition dataflow;
        try
        {
            dataflow = await DataflowJson.LoadAsync(parsed.Flow!);
            dataflow = ApplyOverrides(dataflow, parsed.Overrides, catalog);
        }
        catch (Exception ex) when (ex is DataflowFormatException or ArgumentException)
        {
            await error.WriteLineAsync(ex.Message);
            return CliCommands.UsageError;
        }

        InMemoryConnectionProvider connections;
        try
        {
            connections = parsed.ConnectionsFile is null ? new InMemoryConnectionProvider([]) : await ConnectionsFile.LoadAsync(parsed.ConnectionsFile);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return CliCommands.UsageError;
        }

        var engine = configuration.GetSection("Engine").Get<EngineSettings>() ?? new EngineSettings();
        if (parsed.RunsFolder is not null) engine.RunsFolder = parsed.RunsFolder;
        var runsFolder = Path.GetFullPath(engine.RunsFolder);
        // API sinks resume from here after a run that died: <runs folder>/checkpoints/<dataflow>.jsonl.
        using var checkpoints = new FileCheckpointStore(Path.Combine(runsFolder, "checkpoints"));
        var ledger = new JsonLinesProcessedFileLedger(Path.Combine(runsFolder, "ledger"));
        var options = engine.ToRunOptions(new CliServices(connections, ledger, checkpoints)) with { KeepWorkFolder = parsed.KeepWork };

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            await output.WriteLineAsync($"Running '{dataflow.Name}' from {parsed.Flow} (run {options.RunId})");
            var observer = new ConsoleRunObserver(output, parsed.Quiet);
            var cpu = Environment.CpuUsage.TotalTime;
            var jit = new JitSnapshot(System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
            var result = await new DataflowRunner(catalog).RunAsync(dataflow, options, observer, cancel.Token);
            await RunSummary.WriteAsync(result, Environment.CpuUsage.TotalTime - cpu, jit, output);
            if (result.Issues.Count > 0)
            {
                await error.WriteLineAsync(result.Error);
                return CliCommands.UsageError;
            }
            if (!result.IsSuccess) await error.WriteLineAsync($"Run {result.Outcome}: {result.Error}");
            return result.Outcome switch
            {
                RunOutcome.Succeeded or RunOutcome.SucceededWithErrors => CliCommands.Success,
                RunOutcome.Cancelled => CliCommands.Cancelled,
                _ => CliCommands.RunFailed,
            };
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Applies <c>--set node.setting=value</c> overrides, typed by the setting's catalog description.</summary>
    internal static DataflowDefinition ApplyOverrides(DataflowDefinition dataflow, IReadOnlyList<(string Node, string Setting, string Value)> overrides, BlockCatalog catalog)
    {
        if (overrides.Count == 0) return dataflow;
        var nodes = dataflow.Nodes.Select(n => n with { Settings = (JsonObject)n.Settings.DeepClone() }).ToList();
        foreach (var (nodeId, settingName, value) in overrides)
        {
            var node = nodes.Find(n => n.Id == nodeId)
                ?? throw new ArgumentException($"--set {nodeId}.{settingName}: the dataflow has no block '{nodeId}'. Blocks: {string.Join(", ", nodes.Select(n => n.Id))}.");
            var descriptor = catalog.Find(node.Type)
                ?? throw new ArgumentException($"--set {nodeId}.{settingName}: block '{nodeId}' has unknown type '{node.Type}'.");
            var setting = descriptor.FindSetting(settingName)
                ?? throw new ArgumentException($"--set {nodeId}.{settingName}: {descriptor.Name} has no setting '{settingName}'. Settings: {string.Join(", ", descriptor.Settings.Select(s => s.Name))}.");
            node.Settings[setting.Name] = ToJson(setting, value, $"--set {nodeId}.{settingName}");
        }
        return dataflow with { Nodes = nodes };
    }

    private static JsonNode? ToJson(SettingDescriptor setting, string value, string where)
    {
        if (setting.ValueType is "string" or "enum") return JsonValue.Create(value);
        try
        {
            return JsonNode.Parse(value);
        }
        catch (JsonException)
        {
            throw new ArgumentException($"{where}: '{value}' is not a valid {setting.ValueType} (write JSON for lists, e.g. [\"a\",\"b\"]).");
        }
    }
}

/// <summary>Parsed arguments of the run verb.</summary>
internal sealed record RunArguments
{
    public string? Flow { get; init; }
    public List<(string Node, string Setting, string Value)> Overrides { get; } = [];
    public string? RunsFolder { get; init; }
    public string? ConnectionsFile { get; init; }
    public bool Quiet { get; init; }
    public bool KeepWork { get; init; }
    public string? Error { get; init; }

    public static RunArguments Parse(string[] args)
    {
        var result = new RunArguments();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (arg)
            {
                case "--flow":
                    result = result with { Flow = Next() ?? "" };
                    break;
                case "--runs":
                    result = result with { RunsFolder = Next() };
                    break;
                case "--connections":
                    result = result with { ConnectionsFile = Next() };
                    break;
                case "--quiet":
                    result = result with { Quiet = true };
                    break;
                case "--keep-work":
                    result = result with { KeepWork = true };
                    break;
                case "--set":
                    var assignment = Next();
                    var eq = assignment?.IndexOf('=', StringComparison.Ordinal) ?? -1;
                    var dot = eq < 0 ? -1 : assignment![..eq].IndexOf('.', StringComparison.Ordinal);
                    if (dot <= 0) return result with { Error = $"--set needs node.setting=value, got '{assignment}'." };
                    result.Overrides.Add((assignment![..dot], assignment[(dot + 1)..eq], assignment[(eq + 1)..]));
                    break;
                default:
                    return result with { Error = $"Unknown option '{arg}'." };
            }
        }
        if (string.IsNullOrEmpty(result.Flow)) return result with { Error = "run needs --flow FILE." };
        if (!File.Exists(result.Flow)) return result with { Error = $"Dataflow file '{result.Flow}' does not exist." };
        if (result.ConnectionsFile is { } file && !File.Exists(file)) return result with { Error = $"Connections file '{file}' does not exist." };
        return result;
    }
}

/// <summary>
/// What blocks of a headless run can ask for: the connections of the --connections file, the
/// processed-file ledger kept in the runs folder (<c>runs/ledger</c>), so that a file source does not
/// read a file again that an earlier run processed, and the API sinks' delivery checkpoints.
/// </summary>
internal sealed class CliServices(IConnectionProvider connections, IProcessedFileLedger ledger, ICheckpointStore checkpoints) : IServiceProvider
{
    public object? GetService(Type serviceType) =>
        serviceType == typeof(IConnectionProvider) ? connections
        : serviceType == typeof(IProcessedFileLedger) ? ledger
        : serviceType == typeof(ICheckpointStore) ? checkpoints
        : null;
}

/// <summary>Prints log lines as they come (Info and above unless quiet).</summary>
internal sealed class ConsoleRunObserver(TextWriter output, bool quiet) : IRunObserver
{
    private readonly Lock _lock = new();

    public void OnLog(RunLogEntry entry)
    {
        if (entry.Level == RunLogLevel.Debug || (quiet && entry.Level < RunLogLevel.Warning)) return;
        lock (_lock) output.WriteLine(entry.ToString());
    }
}

/// <summary>The table printed at the end of a run.</summary>
internal static class RunSummary
{
    /// <param name="result">The run's result.</param>
    /// <param name="cpu">CPU time (user + system) the process spent during the run, start-up excluded: what benchmarks compare.</param>
    /// <param name="output">Where to print.</param>
    /// <param name="jit">The JIT's counters when the run started.</param>
    public static async Task WriteAsync(RunResult result, TimeSpan cpu, JitSnapshot jit, TextWriter output)
    {
        if (result.Blocks.Count == 0) return;
        var c = CultureInfo.InvariantCulture;
        var width = Math.Max(5, result.Blocks.Max(b => b.NodeId.Length));
        await output.WriteLineAsync();
        await output.WriteLineAsync(string.Format(c, "{0,-" + width + "}  {1,-22} {2,12} {3,12} {4,10} {5,9}", "block", "type", "in", "out", "rejected", "seconds"));
        foreach (var b in result.Blocks)
        {
            await output.WriteLineAsync(string.Format(c, "{0,-" + width + "}  {1,-22} {2,12:N0} {3,12:N0} {4,10:N0} {5,9:0.00}",
                b.NodeId, b.BlockName, b.In, b.Out, b.Rejected, b.Duration.TotalSeconds));
        }
        var rows = result.Blocks.Where(b => b.FilesIn > 0 && b.RowsIn == 0).Sum(b => b.RowsOut + b.Rejected);
        var seconds = Math.Max(result.Duration.TotalSeconds, 1e-6);
        await output.WriteLineAsync();
        await output.WriteLineAsync(string.Format(c, "Outcome: {0}. Rows read: {1:N0} in {2:0.00} s ({3:N0} rows/s). Rejected: {4:N0}.",
            result.Outcome, rows, seconds, rows / seconds, result.Rejected));
        await output.WriteLineAsync(string.Format(c, "Run CPU: {0:0.00} s (user + system, all threads). GC since start: {1:N0} gen0, {2:N0} gen1, {3:N0} gen2; paused {4:0.00} s; {5:N0} MB allocated.",
            cpu.TotalSeconds, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalSeconds, GC.GetTotalAllocatedBytes() / (1024 * 1024)));
        await output.WriteLineAsync(string.Format(c, "JIT during the run: {0:N0} methods compiled in {1:0.00} s.",
            System.Runtime.JitInfo.GetCompiledMethodCount() - jit.Methods, (System.Runtime.JitInfo.GetCompilationTime() - jit.Time).TotalSeconds));
        if (result.ErrorFile is { } errorFile) await output.WriteLineAsync($"Error file: {errorFile}");
        // The blocks' own files, when the run's file joins several of them.
        if (result.ErrorFiles.Count > 1)
            foreach (var file in result.ErrorFiles) await output.WriteLineAsync($"  by block: {file}");
    }
}

/// <summary>The JIT's counters at a moment: methods compiled and time spent compiling.</summary>
internal readonly record struct JitSnapshot(long Methods, TimeSpan Time);
