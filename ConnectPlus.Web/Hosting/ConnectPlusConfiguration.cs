using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Runtime;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace ConnectPlus.Web.Hosting;

/// <summary>The <c>Engine</c> section of appsettings.json.</summary>
public sealed class EngineSettings
{
    /// <summary>Parent folder of run-scoped work folders (removed after each run).</summary>
    public string WorkFolder { get; set; } = "";

    /// <summary>Folder for run outputs such as error files (one sub-folder per run).</summary>
    public string RunsFolder { get; set; } = "runs";

    /// <summary>Rows per batch.</summary>
    public int BatchSize { get; set; } = 1024;

    /// <summary>Batches a link holds before its writer waits.</summary>
    public int ChannelCapacity { get; set; } = 4;

    /// <summary>Run options for one run.</summary>
    public RunOptions ToRunOptions(IServiceProvider? services = null) => new()
    {
        WorkRoot = string.IsNullOrWhiteSpace(WorkFolder) ? new RunOptions().WorkRoot : Path.GetFullPath(WorkFolder),
        OutputFolder = Path.GetFullPath(RunsFolder),
        BatchSize = BatchSize,
        ChannelCapacity = ChannelCapacity,
        Services = services,
    };
}

/// <summary>Registrations shared by the web host and the CLI.</summary>
public static class ConnectPlusConfiguration
{
    /// <summary>
    /// Loads the repository-level appsettings.json (copied beside the executable) at the place of
    /// the host's default appsettings.json, so environment variables and the command line still win.
    /// </summary>
    public static IConfigurationManager AddConnectPlusSettingsFile(this IConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = SettingsFilePath();
        var sources = configuration.Sources;
        var index = sources.Select((s, i) => (s, i)).FirstOrDefault(x => x.s is JsonConfigurationSource).i;
        sources.Insert(index, new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(path)!),
            Path = Path.GetFileName(path),
            Optional = false,
        });
        return configuration;
    }

    /// <summary>
    /// The web host's options: the command line, and configuration files not reloaded on change
    /// (<c>hostBuilder:reloadConfigOnChange</c> false). The host's default appsettings.json sources would otherwise watch the
    /// working folder recursively — the SQLite database, the runs folder and local connections' folders usually below it —
    /// and handle a file event for each write of every run (1.4–1.9% of a host's CPU during runs, measured with perf).
    /// </summary>
    /// <remarks>
    /// A published app's web root (<c>wwwroot</c>: the UI's styles and scripts) is the one beside the executable, whatever the
    /// working folder: the working folder holds <c>./data</c> and <c>./runs</c> and may be anywhere (a service's data folder), and
    /// a web root looked for there is missing, so every style and script was answered empty and the UI was neither styled nor
    /// interactive. A build run with <c>dotnet run</c> has no <c>wwwroot</c> beside it and keeps the default (the project's
    /// files, through the development manifest).
    /// </remarks>
    public static WebApplicationOptions HostOptions(string[] args) => HostOptions(args, AppContext.BaseDirectory);

    /// <summary><see cref="HostOptions(string[])"/> for an executable in <paramref name="baseDirectory"/> (tests).</summary>
    internal static WebApplicationOptions HostOptions(string[] args, string baseDirectory)
    {
        var webRoot = Path.Combine(baseDirectory, "wwwroot");
        return new() { Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"], WebRootPath = Directory.Exists(webRoot) ? webRoot : null };
    }

    /// <summary>Where appsettings.json is read from: beside the executable.</summary>
    public static string SettingsFilePath() => Path.Combine(AppContext.BaseDirectory, "appsettings.json");

    public static IHostApplicationBuilder AddConnectPlusConfiguration(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddConnectPlusSettingsFile();
        return builder;
    }

    public static IHostApplicationBuilder AddConnectPlusEngine(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<EngineSettings>(builder.Configuration.GetSection("Engine"));
        builder.Services.AddSingleton(BlockCatalog.Default);
        builder.Services.AddSingleton(sp => new DataflowRunner(sp.GetRequiredService<BlockCatalog>()));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<EngineSettings>>().Value);
        return builder;
    }
}
