using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Capillary;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Sends API payload items (from Build API payload, or a file with a payload column) to a Capillary
/// API in batches, several requests at once, with retries, rate limiting and checkpoints (a run that
/// died resumes without sending a batch twice). Every source row comes out as succeeded, with the
/// API's status, code, message, entity id and points, or rejected with the API's code and message.
/// A refused sign-in stops the run.
/// </summary>
[Block("capillary-api", 1, "Capillary API", BlockCategory.Destinations, Icon = "cloud_upload")]
[Input("records", PortKind.Records, Description = "Payload records: one row per item (payload_key, payload, source_rows), or rows with a payload column of ready JSON.")]
[Output("succeeded", PortKind.Records, Description = "The source rows of items the API took, with api_status, api_code, api_message, entity_id and points_awarded.")]
[Output("rejected", PortKind.Records, Rejected = true, Description = "The source rows of items the API refused or that could not be sent, with the API's code and message.")]
public sealed class CapillaryApiBlock : Block<CapillaryApiSettings>, IRunCompletionHandler, IPayloadItemReceiver
{
    /// <summary>The columns added to every source row, in order.</summary>
    public static readonly IReadOnlyList<string> ResultColumns = ["api_status", "api_code", "api_message", "entity_id", "points_awarded"];

    // The source files this run delivered (the block instance lives for one run).
    private IReadOnlyCollection<string> _sources = [];

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = await context.GetConnectionAsync(Settings.Connection, "connection", cancellationToken).ConfigureAwait(false);
        var settings = Bind(connection);
        using var lease = RunApiClients.Acquire(context, connection.Name, handler => new CapillaryClient(connection.Name, settings, handler, context.Time));
        var target = CapillaryTarget.For(Settings.Endpoint);
        if (Settings.BatchSize > target.MaxItemsPerRequest)
            context.Log(RunLogLevel.Info, $"{System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(Settings.Endpoint.ToString())} takes {target.MaxItemsPerRequest} item per request: batch size {Settings.BatchSize} does not apply.");
        var policy = ApiSendPolicy.From(Settings, Settings.AlreadyDeliveredCodes);
        using var delivery = new ApiDelivery(context, Settings, lease.Client, target, new PayloadColumnReader(context.DisplayName, objectsOnly: true), policy, ResultColumns);
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
    bool IPayloadItemReceiver.ReadsPayloadItems(string port) => port == "records";

    /// <summary>Once the run succeeded, forgets the checkpoints of the files delivered (they are done).</summary>
    public Task OnRunCompletedAsync(BlockContext context, RunOutcome outcome, CancellationToken cancellationToken) =>
        ApiCheckpoints.ForgetDeliveredAsync(context, outcome, _sources, cancellationToken);

    private static CapillaryConnectionSettings Bind(ConnectionDefinition connection)
    {
        try
        {
            return ConnectionCatalog.Default.Bind(connection) as CapillaryConnectionSettings
                ?? throw new BlockException($"Connection '{connection.Name}' is a {connection.Type} connection; choose a Capillary API connection.") { Setting = "connection" };
        }
        catch (ConnectionException ex)
        {
            throw new BlockException($"Setting 'connection': {ex.Message}", ex) { Setting = "connection" };
        }
    }
}
