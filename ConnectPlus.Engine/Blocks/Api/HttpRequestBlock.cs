using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Http;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Sends rows to any REST endpoint: each row's JSON from a body template with {{column}} placeholders
/// (or from a payload column), one item per request or several as a JSON array, with the sign-in of
/// an HTTP API connection, retries, rate limiting and checkpoints like the Capillary API block. Every
/// source row comes out as succeeded (api_status, api_code = the HTTP status, api_message = the answer's
/// start) or rejected with the HTTP status and the answer. A refused sign-in (401) stops the run.
/// </summary>
[Block("http-request", 1, "HTTP request", BlockCategory.Destinations, Icon = "send")]
[Input("records", PortKind.Records, Description = "The rows to send (or payload records when Body is payload).")]
[Output("succeeded", PortKind.Records, Description = "The rows the endpoint took, with api_status, api_code and api_message.")]
[Output("rejected", PortKind.Records, Rejected = true, Description = "The rows the endpoint refused or that could not be sent, with the HTTP status and the answer.")]
public sealed class HttpRequestBlock : Block<HttpRequestSettings>, IRunCompletionHandler, IPayloadItemReceiver
{
    /// <summary>The columns added to every source row, in order.</summary>
    public static readonly IReadOnlyList<string> ResultColumns = ["api_status", "api_code", "api_message"];

    // The source files this run delivered (the block instance lives for one run).
    private IReadOnlyCollection<string> _sources = [];

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (name, settings) = await ConnectionAsync(context, cancellationToken).ConfigureAwait(false);
        CheckUrl(settings);
        using var lease = RunApiClients.Acquire(context, name ?? "\u0000" + Settings.Url, handler => new HttpApiClient(name, settings, handler));
        var method = Settings.Method switch
        {
            HttpSendMethod.Put => HttpMethod.Put,
            HttpSendMethod.Patch => HttpMethod.Patch,
            _ => HttpMethod.Post,
        };
        var target = new HttpRequestTarget(method, Settings.Url, Settings.Batching == HttpBatching.JsonArray, Settings.BatchSize);
        IApiItemReader reader = Settings.Body == HttpBodySource.Payload
            ? new PayloadColumnReader(context.DisplayName, objectsOnly: false)
            : new TemplateReader(Settings.BodyTemplate ?? "");
        using var delivery = new ApiDelivery(context, Settings, lease.Client, target, reader, ApiSendPolicy.From(Settings, Settings.AlreadyDeliveredCodes), ResultColumns);
        try
        {
            await delivery.RunAsync("records", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sources = [.. delivery.Sources];
        }
    }

    /// <inheritdoc />
    bool IPayloadItemReceiver.ReadsPayloadItems(string port) => port == "records" && Settings.Body == HttpBodySource.Payload;

    /// <summary>Once the run succeeded, forgets the checkpoints of the files delivered.</summary>
    public Task OnRunCompletedAsync(BlockContext context, RunOutcome outcome, CancellationToken cancellationToken) =>
        ApiCheckpoints.ForgetDeliveredAsync(context, outcome, _sources, cancellationToken);

    /// <summary>The connection's settings, or a sign-in-less one around the block's full URL.</summary>
    private async Task<(string? Name, HttpConnectionSettings Settings)> ConnectionAsync(BlockContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Settings.Connection))
        {
            var uri = new Uri(Settings.Url);
            return (null, new HttpConnectionSettings { BaseUrl = uri.GetLeftPart(UriPartial.Authority) });
        }
        var connection = await context.GetConnectionAsync(Settings.Connection, "connection", cancellationToken).ConfigureAwait(false);
        try
        {
            return ConnectionCatalog.Default.Bind(connection) is HttpConnectionSettings http
                ? (connection.Name, http)
                : throw new BlockException($"Connection '{connection.Name}' is a {connection.Type} connection; choose an HTTP API connection.") { Setting = "connection" };
        }
        catch (ConnectionException ex)
        {
            throw new BlockException($"Setting 'connection': {ex.Message}", ex) { Setting = "connection" };
        }
    }

    /// <summary>A full URL must stay on the connection's host: its credentials go nowhere else.</summary>
    private void CheckUrl(HttpConnectionSettings settings)
    {
        // On Unix "/orders" parses as an absolute file:// URI: only http(s) addresses are full URLs here.
        if (!Uri.TryCreate(Settings.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || settings.Auth == HttpAuth.None) return;
        var home = new Uri(settings.BaseUrl);
        if (!string.Equals(url.GetLeftPart(UriPartial.Authority), home.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
        {
            throw new BlockException($"The URL {url.GetLeftPart(UriPartial.Authority)} is not on the connection's host {home.GetLeftPart(UriPartial.Authority)}, " +
                "and the connection's credentials are not sent elsewhere. Give a path, or a connection for that host.") { Setting = "url" };
        }
    }

    private sealed class TemplateReader(string template) : IApiItemReader
    {
        public Func<Record, ItemRead> For(RecordSchema schema) => HttpBodyTemplate.Bind(template, schema);
    }
}
