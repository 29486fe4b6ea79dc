using System.Collections.Concurrent;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;
using ConnectPlus.Tests.Data;
using ConnectPlus.Tests.Engine;
using ConnectPlus.Tests.Harness;
using ConnectPlus.Web.Data;
using ConnectPlus.Web.Features.Runs;
using ConnectPlus.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace ConnectPlus.Tests.Runs;

/// <summary>
/// The run services of one node over a test database, without a web server: the real requests, executor,
/// recovery and history, the harness catalog (test blocks included), a runs folder of its own, fast
/// heartbeats and the log lines captured. Several hosts over one database stand for several nodes.
/// </summary>
public sealed class RunsTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly TempFolder _folder = new();

    public RunsTestHost(ITestDatabase database, string? node = null, TimeProvider? time = null, bool execute = true,
        IDictionary<string, string?>? settings = null, LogLevel minimumLevel = LogLevel.Debug)
    {
        Node = node ?? "node-" + Guid.NewGuid().ToString("N")[..6];
        var values = new Dictionary<string, string?>
        {
            ["Engine:NodeName"] = Node,
            ["Runs:HeartbeatSeconds"] = "0.2",
            ["Runs:StaleAfterSeconds"] = "2",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.AddProvider(Log).SetMinimumLevel(minimumLevel));
        services.AddSingleton(database.Settings);
        services.AddConnectPlusData();
        services.AddSingleton(BlockHarness.Catalog);
        services.AddSingleton(new DataflowRunner(BlockHarness.Catalog));
        services.AddSingleton(new EngineSettings { RunsFolder = _folder["runs"], WorkFolder = _folder["work"] });
        services.AddSingleton(Probe);
        if (time is not null) services.AddSingleton(time);
        if (!execute) services.AddSingleton<IRunDispatcher>(Dispatched);
        services.AddConnectPlusRuns();
        _services = services.BuildServiceProvider();
        Database = database.Database;
    }

    public string Node { get; }

    public ConnectPlusDatabase Database { get; }

    public ListLoggerProvider Log { get; } = new();

    public FlowProbe Probe { get; } = new();

    /// <summary>Runs handed to the dispatcher when the host does not execute them.</summary>
    public RecordingDispatcher Dispatched { get; } = new();

    public string RunsFolder => _folder["runs"];

    public IServiceProvider Services => _services;

    public IRunRequests Requests => _services.GetRequiredService<IRunRequests>();

    public IRunExecutor Executor => _services.GetRequiredService<IRunExecutor>();

    public IRunRecovery Recovery => _services.GetRequiredService<IRunRecovery>();

    public RunHistory History => _services.GetRequiredService<RunHistory>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(_services);

    public ConnectPlusDbContext Db() => Database.CreateDbContext();

    /// <summary>A workspace, a dataflow and one version of it (published unless said otherwise).</summary>
    public async Task<(int DataflowId, int VersionId, int WorkspaceId)> AddDataflowAsync(DataflowDefinition definition,
        bool publish = true, InterruptedRunAction onInterrupted = InterruptedRunAction.Resume, bool active = true)
    {
        await using var db = Db();
        var t = DateTimeOffset.UtcNow;
        var workspace = new Workspace { Name = "Brand " + Guid.NewGuid().ToString("N")[..8], Created = t };
        var dataflow = new Dataflow { Workspace = workspace, Name = definition.Name, Created = t, Updated = t, OnInterrupted = onInterrupted, IsActive = active };
        var version = new DataflowVersion
        {
            Dataflow = dataflow, Number = 1, Definition = DataflowJson.Serialize(definition), Author = "asha", Created = t,
            State = publish ? DataflowVersionState.Published : DataflowVersionState.Draft,
        };
        db.DataflowVersions.Add(version);
        await db.SaveChangesAsync();
        return (dataflow.Id, version.Id, workspace.Id);
    }

    public async Task<Run> RunAsync(long id)
    {
        await using var db = Db();
        return await db.Runs.AsNoTracking().SingleAsync(r => r.Id == id);
    }

    /// <summary>Waits until the run has ended (or the condition holds), polling the database as another node would.</summary>
    public async Task<Run> WaitAsync(long id, Func<Run, bool>? until = null, int seconds = 30)
    {
        until ??= r => r.IsFinished;
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var run = await RunAsync(id);
            if (until(run)) return run;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Run #{id} is still {run.Status} after {seconds} s. Log:\n{Log}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _services.GetRequiredService<InProcessRunDispatcher>().StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>Simple flows of the harness's test blocks.</summary>
    public static DataflowDefinition Flow(int batches = 5, int rows = 10, int rejectEvery = 0, bool forever = false, int sinkDelayMs = 0, string? name = null) =>
        new FlowBuilder()
            .Node("gen", "test-generate", new { batches, rowsPerBatch = rows, rejectEvery, forever })
            .Node("sink", "test-sink", new { delayMs = sinkDelayMs })
            .Link("gen:records", "sink:records")
            .Build() with { Name = name ?? "Flow " + Guid.NewGuid().ToString("N")[..6] };
}

/// <summary>A dispatcher that only remembers what it was handed.</summary>
public sealed class RecordingDispatcher : IRunDispatcher
{
    public ConcurrentQueue<long> Runs { get; } = new();

    public Task DispatchAsync(long runId, CancellationToken cancellationToken)
    {
        Runs.Enqueue(runId);
        return Task.CompletedTask;
    }
}

/// <summary>Keeps every log line written through ILogger.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose() { }

    public override string ToString() => string.Join('\n', _lines);

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
    }
}
