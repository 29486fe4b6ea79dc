using ConnectPlus.Web.Data;

namespace ConnectPlus.Web.Cli;

/// <summary>
/// <c>migrate</c>: creates the configured database (for SQLite, its folder too) and applies the migrations
/// it lacks, then exits: 0 when the database is up to date, 1 when it cannot be reached or migrated,
/// 2 on bad arguments. The web host does the same on start unless <c>Database:MigrateOnStart</c> is false.
/// </summary>
internal static class MigrateCommand
{
    public static async Task<int> ExecuteAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        if (args.Length > 0)
        {
            await error.WriteLineAsync($"migrate takes no options (got '{args[0]}'); it uses Database:Provider and ConnectionStrings:ConnectPlus.{Environment.NewLine}{CliCommands.Usage}");
            return CliCommands.UsageError;
        }
        DatabaseSettings settings;
        try
        {
            settings = DatabaseSettings.From(configuration);
        }
        catch (InvalidOperationException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return CliCommands.UsageError;
        }
        await output.WriteLineAsync($"Database: {settings.Describe()}");
        try
        {
            var applied = await new ConnectPlusDatabase(settings).MigrateAsync();
            await output.WriteLineAsync(applied.Count == 0
                ? "Up to date: no migration to apply."
                : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}.");
            return CliCommands.Success;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await error.WriteLineAsync($"Cannot migrate {settings.Describe()}: {ex.Message}");
            return CliCommands.RunFailed;
        }
    }
}
