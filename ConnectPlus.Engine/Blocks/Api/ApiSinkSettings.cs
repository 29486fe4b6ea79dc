using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Settings every API sink shares: how items are grouped into requests, how many requests are in
/// flight, the rate limit, and what is retried (recoverable codes), waited for (yielding codes) or final.
/// </summary>
public abstract class ApiSinkSettings : IValidatableObject
{
    /// <summary>
    /// Items per request (1–1000). The same input file always gives the same batches, so a run that
    /// resumes after a crash knows which batches the server already has.
    /// </summary>
    [Range(1, 1000, ErrorMessage = "Give between 1 and 1000 items per request.")]
    [Setting(Order = 20, Group = "Sending")]
    public int BatchSize { get; set; } = 100;

    /// <summary>Requests in flight at once (1–32). More goes faster until the server or its rate limit pushes back.</summary>
    [Range(1, 32, ErrorMessage = "Give between 1 and 32 requests in flight.")]
    [Setting(Order = 21, Group = "Sending")]
    public int ParallelRequests { get; set; } = 4;

    /// <summary>
    /// Most requests per minute, spread evenly (e.g. the limit your API key has). Empty: no limit of our
    /// own; the server's 429 answers still slow the run down.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Give at least 1 request per minute, or leave it empty.")]
    [Setting(Order = 22, Group = "Sending", Placeholder = "no limit")]
    public int? RateLimitPerMinute { get; set; }

    /// <summary>
    /// HTTP statuses that mean "try again later" (a gateway or a server restarting): the request is
    /// sent again, up to Max retries times, waiting longer each time. Timeouts and dropped connections
    /// count as recoverable too.
    /// </summary>
    [Setting(Order = 30, Group = "Retries")]
    public List<int> RecoverableCodes { get; set; } = [502, 503, 504, 520, 521];

    /// <summary>Retries of one request after recoverable failures; past that, its items are rejected with the last failure and the run goes on.</summary>
    [Range(0, 20, ErrorMessage = "Give between 0 and 20 retries.")]
    [Setting(Order = 31, Group = "Retries")]
    public int MaxRetries { get; set; } = 5;

    /// <summary>Seconds before the first retry; each further retry waits twice as long (at most 60 s), with some randomness so that parallel requests do not retry in step.</summary>
    [Range(0, 60, ErrorMessage = "Give a delay between 0 and 60 seconds.")]
    [Setting(Order = 32, Group = "Retries")]
    public double RetryDelaySeconds { get; set; } = 1;

    /// <summary>
    /// HTTP statuses that mean "slow down" (rate limited): every request pauses for the server's
    /// Retry-After (or the retry delay when it gives none), then the request is sent again, without a
    /// count limit.
    /// </summary>
    [Setting(Order = 33, Group = "Retries")]
    public List<int> YieldingCodes { get; set; } = [429];

    /// <summary>Most seconds one request may spend waiting on yielding answers; past that, its items are rejected and the run goes on.</summary>
    [Range(0, 86_400, ErrorMessage = "Give between 0 and 86400 seconds.")]
    [Setting(Order = 34, Group = "Retries")]
    public int TotalWaitBudgetSeconds { get; set; } = 900;

    /// <summary>Headers added to every request (name and value), e.g. a correlation id the API wants.</summary>
    [Setting(Order = 40, Group = "Advanced", Editor = EditorHint.KeyValueList)]
    public List<ApiHeader> ExtraHeaders { get; set; } = [];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (codes, name) in new[] { (RecoverableCodes, nameof(RecoverableCodes)), (YieldingCodes, nameof(YieldingCodes)) })
        {
            if (codes is null) yield return new ValidationResult("Give a list of HTTP statuses (it may be empty).", [name]);
            else if (codes.Find(c => c is < 100 or > 599) is var bad and not 0)
                yield return new ValidationResult($"{bad} is not an HTTP status: give numbers between 100 and 599.", [name]);
        }
        if (RecoverableCodes is not null && YieldingCodes is not null && RecoverableCodes.Intersect(YieldingCodes).FirstOrDefault() is var both and not 0)
            yield return new ValidationResult($"{both} is both recoverable and yielding: keep it in one list.", [nameof(YieldingCodes)]);
        if (ExtraHeaders is null) yield return new ValidationResult("Give a list of headers (it may be empty).", [nameof(ExtraHeaders)]);
        else
        {
            for (var i = 0; i < ExtraHeaders.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(ExtraHeaders[i]?.Name) || ExtraHeaders[i].Name.Any(c => c <= ' ' || c == ':' || c > '~'))
                    yield return new ValidationResult($"Header {i + 1} needs a name of letters, digits and dashes, e.g. X-Request-Source.", [nameof(ExtraHeaders)]);
            }
        }
        foreach (var result in ValidateMore()) yield return result;
    }

    /// <summary>The block's own rules.</summary>
    protected virtual IEnumerable<ValidationResult> ValidateMore() => [];

    internal IReadOnlyList<KeyValuePair<string, string>> Headers() =>
        [.. ExtraHeaders.Select(h => new KeyValuePair<string, string>(h.Name.Trim(), h.Value ?? ""))];
}

/// <summary>An HTTP header added to every request.</summary>
public sealed class ApiHeader
{
    /// <summary>The header's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Its value.</summary>
    public string? Value { get; set; }
}
