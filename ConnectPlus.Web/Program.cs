using ConnectPlus.Web.Cli;
using ConnectPlus.Web.Hosting;

// A verb (run, ...) runs headless and exits; no verb starts the web server.
if (CliCommands.IsVerb(args)) return await CliCommands.RunAsync(args, Console.Out, Console.Error);

// appsettings.json is read at start only: reloading it on change would watch the working folder with everything under
// it (./data with the SQLite database, ./runs, folders of local connections), handling an event for every write a run makes.
var builder = WebApplication.CreateBuilder(ConnectPlusConfiguration.HostOptions(args));
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
