using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>Settings of the HTTP request block.</summary>
public sealed class HttpRequestSettings : ApiSinkSettings
{
    /// <summary>
    /// The HTTP API connection: base URL and sign-in (none, basic, bearer, API key), its secrets kept in
    /// the connection. Empty: no sign-in, and URL must be a full address.
    /// </summary>
    [Setting(Order = 1, Editor = EditorHint.Connection, ConnectionTypes = ["http"])]
    public string? Connection { get; set; }

    /// <summary>Where to send: a path added to the connection's base URL (e.g. /orders), or a full https:// address.</summary>
    [Required(ErrorMessage = "Give the URL (a path such as /orders, or a full address).")]
    [Setting(Order = 2, Placeholder = "/orders")]
    public string Url { get; set; } = "";

    /// <summary>The HTTP method: post, put or patch.</summary>
    [Setting(Order = 3)]
    public HttpSendMethod Method { get; set; } = HttpSendMethod.Post;

    /// <summary>
    /// Where each item's JSON comes from. payload: the payload column (Build API payload, or a file of
    /// ready JSON). template: Body template, filled from each row.
    /// </summary>
    [Setting(Order = 4, Group = "Body")]
    public HttpBodySource Body { get; set; } = HttpBodySource.Template;

    /// <summary>
    /// The JSON of one item, with {{column}} where a row's value goes. Inside quotes the value is
    /// escaped as JSON text ("name": "{{first_name}}"); outside quotes it is put as it is, for numbers
    /// and booleans ("qty": {{qty}}), and an empty value becomes null. A row whose filled template is
    /// not valid JSON is rejected.
    /// </summary>
    [Setting(Order = 5, Group = "Body", Editor = EditorHint.Json, Placeholder = "{\"id\": \"{{order_id}}\", \"amount\": {{amount}}}")]
    public string? BodyTemplate { get; set; }

    /// <summary>
    /// How items make requests. oneItemPerRequest: each item is the body of its own request. jsonArray:
    /// Batch size items per request, as a JSON array. The whole request succeeds or fails together
    /// (a 2xx answer: every item succeeded).
    /// </summary>
    [Setting(Order = 6, Group = "Body")]
    public HttpBatching Batching { get; set; } = HttpBatching.OneItemPerRequest;

    /// <summary>
    /// HTTP statuses that mean "the server has this already" (e.g. 409). For a request that may have
    /// reached the server before (re-sent after a timeout, or after a run died) it counts as delivered;
    /// otherwise it is rejected like other statuses.
    /// </summary>
    [Setting(Order = 7, Group = "Retries")]
    public List<string> AlreadyDeliveredCodes { get; set; } = [];

    /// <inheritdoc />
    protected override IEnumerable<ValidationResult> ValidateMore()
    {
        if (Body == HttpBodySource.Template)
        {
            if (string.IsNullOrWhiteSpace(BodyTemplate))
                yield return new ValidationResult("Give the body template, e.g. {\"id\": \"{{order_id}}\"}, or choose body: payload.", [nameof(BodyTemplate)]);
            else if (HttpBodyTemplate.Check(BodyTemplate) is { } problem)
                yield return new ValidationResult(problem, [nameof(BodyTemplate)]);
        }
        var absolute = Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
        if (string.IsNullOrWhiteSpace(Connection) && !string.IsNullOrWhiteSpace(Url) && !absolute)
            yield return new ValidationResult("Without a connection, give a full address (https://…), or choose a connection.", [nameof(Url)]);
        if (AlreadyDeliveredCodes is null) yield return new ValidationResult("Give a list of statuses (it may be empty).", [nameof(AlreadyDeliveredCodes)]);
    }
}

/// <summary>HTTP methods that send a body.</summary>
public enum HttpSendMethod
{
    /// <summary>POST.</summary>
    Post,

    /// <summary>PUT.</summary>
    Put,

    /// <summary>PATCH.</summary>
    Patch,
}

/// <summary>Where the HTTP request block takes each item's JSON from.</summary>
public enum HttpBodySource
{
    /// <summary>The body template, filled from each row.</summary>
    Template,

    /// <summary>The payload column.</summary>
    Payload,
}

/// <summary>How the HTTP request block groups items into requests.</summary>
public enum HttpBatching
{
    /// <summary>One item per request.</summary>
    OneItemPerRequest,

    /// <summary>Batch size items per request, as a JSON array.</summary>
    JsonArray,
}
