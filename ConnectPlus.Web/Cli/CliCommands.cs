using ConnectPlus.Web.Hosting;

namespace ConnectPlus.Web.Cli;

/// <summary>Verbs on the web executable: <c>run</c> (one headless run), <c>migrate</c> (create or update the database). With no verb the web server starts.</summary>
public static class CliCommands
{
    public const int Success = 0;
    public const int RunFailed = 1;
    public const int UsageError = 2;
    public const int Cancelled = 130;

    /// <summary>True when the first argument is a verb rather than a host option such as <c>--urls</c>.</summary>
    public static bool IsVerb(string[] args) => args is [var first, ..] && !first.StartsWith('-');

    /// <summary>Runs the verb and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        switch (args[0])
        {
            case "run":
                return await RunCommand.ExecuteAsync(args[1..], LoadConfiguration(), output, error);
            case "migrate":
                return await MigrateCommand.ExecuteAsync(args[1..], LoadConfiguration(), output, error);
            case "help" or "--help":
                await output.WriteLineAsync(Usage);
                return Success;
            default:
                await error.WriteLineAsync($"Unknown command '{args[0]}'.{Environment.NewLine}{Usage}");
                return UsageError;
        }
    }

    public const string Usage = """
        Usage:
          ConnectPlus.Web                      start the web UI (http://localhost:5000 by default)
          ConnectPlus.Web run --flow FILE [--set node.setting=value]... [--connections FILE] [--runs DIR] [--quiet]
                                               run a dataflow once without the web server
          ConnectPlus.Web migrate              create the database or apply the migrations it lacks
                                               (Database:Provider, ConnectionStrings:ConnectPlus in appsettings.json)
        """;

    private static ConfigurationManager LoadConfiguration()
    {
        var manager = new ConfigurationManager();
        manager.AddEnvironmentVariables();
        manager.AddConnectPlusSettingsFile();
        // The settings file goes first; environment variables override it, as in the web host.
        return manager;
    }
}
