using System.Text.Json;
using ConnectPlus.Bench.Capillary;
using ConnectPlus.Bench.Export;
using ConnectPlus.Bench.Host;
using ConnectPlus.Bench.Measure;
using ConnectPlus.Bench.Transactions;

namespace ConnectPlus.Bench.Cli;

/// <summary>The verbs of the bench tool. Exit codes: 0 done, 1 failed, 2 usage error; measure passes on the command's.</summary>
internal static class BenchCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var rest = args[1..];
            return args[0] switch
            {
                "export" => ExportCommand.Run(rest, output, ct),
                "transactions" => TransactionsCommand.Run(rest, output, ct),
                "measure" => await MeasureCommand.RunAsync(rest, error, ct).ConfigureAwait(false),
                "capillary-members" => await CapillaryCommand.MembersAsync(rest, output, ct).ConfigureAwait(false),
                "capillary-post" => await CapillaryCommand.PostAsync(rest, output, ct).ConfigureAwait(false),
                "host-setup" => await HostCommand.SetupAsync(rest, output, ct).ConfigureAwait(false),
                "host-run" => await HostCommand.RunAsync(rest, output, ct).ConfigureAwait(false),
                _ => throw new UsageException($"Unknown verb '{args[0]}'."),
            };
        }
        catch (UsageException e)
        {
            error.WriteLine($"bench: {e.Message}");
            error.WriteLine(Usage);
            return 2;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException or IOException or JsonException)
        {
            error.WriteLine($"bench: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("bench: cancelled.");
            return 130;
        }
    }

    private static string Usage => string.Join(
        Environment.NewLine,
        "usage: ConnectPlus.Bench <verb> [options]",
        "  " + ExportCommand.Usage,
        "  " + TransactionsCommand.Usage,
        "  " + MeasureCommand.Usage,
        "  " + CapillaryCommand.MembersUsage,
        "  " + CapillaryCommand.PostUsage,
        "  " + HostCommand.SetupUsage,
        "  " + HostCommand.RunUsage,
        "Sizes are in MB of 2^20 bytes. See bench/README.md.");
}
