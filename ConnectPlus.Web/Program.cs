using ConnectPlus.Web.Cli;
using ConnectPlus.Web.Hosting;

// A verb (run, ...) runs headless and exits; no verb starts the web server.
if (CliCommands.IsVerb(args)) return await CliCommands.RunAsync(args, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);
builder.AddConnectPlusConfiguration();
builder.AddConnectPlusData();
builder.AddConnectPlusEngine();
builder.AddConnectPlusRuns();
builder.AddConnectPlusScheduling();
builder.AddConnectPlusUi();
builder.AddConnectPlusSandbox();
builder.AddConnectPlusApi();

var app = builder.Build();
app.UseConnectPlusUi();
app.UseConnectPlusSandbox();
app.UseConnectPlusApi();
await app.RunAsync();
return 0;

/// <summary>Entry point (public so tests can host the app with WebApplicationFactory).</summary>
public partial class Program;
