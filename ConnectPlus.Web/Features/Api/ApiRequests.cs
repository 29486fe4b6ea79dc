using System.Text.Json;
using ConnectPlus.Engine.Model;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ConnectPlus.Web.Features.Api;

/// <summary>
/// Reads request bodies itself, so that a body that is not JSON, or not the expected shape, gets a 400 problem
/// saying where it went wrong instead of the framework's empty 400.
/// </summary>
public static class ApiRequests
{
    /// <summary>Most bytes of a dataflow definition read from a request (a definition is a small document).</summary>
    public const long MaxDefinitionBytes = 10 * 1024 * 1024;

    /// <summary>The body as <typeparamref name="T"/>; <paramref name="optional"/> bodies may be empty (then null).</summary>
    public static async Task<T?> ReadJsonAsync<T>(HttpRequest request, bool optional = false) where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = await ReadTextAsync(request.Body, request.HttpContext.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
            return optional ? null : throw new ApiRequestException("Send a JSON body (Content-Type: application/json).");
        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            return JsonSerializer.Deserialize<T>(text, options) ?? throw new ApiRequestException("The body is JSON null; send an object.");
        }
        catch (JsonException ex)
        {
            var where = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : $" at {ex.Path}";
            throw new ApiRequestException($"The body is not valid JSON{where}: {ex.Message}", ex);
        }
    }

    /// <summary>A definition given inside a request object, checked like a file (format version, shape).</summary>
    public static DataflowDefinition? Definition(JsonElement? element)
    {
        if (element is not { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } json) return null;
        return DataflowJson.Deserialize(json.GetRawText(), "definition");
    }

    /// <summary>Reads a stream as UTF-8 text, refusing more than <see cref="MaxDefinitionBytes"/>.</summary>
    public static async Task<string> ReadTextAsync(Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var limited = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (limited.Length + read > MaxDefinitionBytes)
                throw new ApiRequestException($"The body is larger than {MaxDefinitionBytes / (1024 * 1024)} MB; a dataflow definition is far smaller.");
            limited.Write(buffer, 0, read);
        }
        // A file saved with a byte order mark is still JSON.
        return System.Text.Encoding.UTF8.GetString(limited.GetBuffer(), 0, (int)limited.Length).TrimStart('\uFEFF');
    }
}
