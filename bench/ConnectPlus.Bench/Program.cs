using ConnectPlus.Bench.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await BenchCli.RunAsync(args, Console.Out, Console.Error, cancellation.Token).ConfigureAwait(false);
