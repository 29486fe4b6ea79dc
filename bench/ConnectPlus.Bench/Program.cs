using ConnectPlus.Bench.Cli;

namespace ConnectPlus.Bench;

/// <summary>Entry point. Declared in a namespace so that it does not clash with the web app's Program in the test project.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        return await BenchCli.RunAsync(args, Console.Out, Console.Error, cancellation.Token).ConfigureAwait(false);
    }
}
