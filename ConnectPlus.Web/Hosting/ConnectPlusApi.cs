using System.Text.Json.Serialization;
using ConnectPlus.Web.Features.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace ConnectPlus.Web.Hosting;

/// <summary>
/// The REST API (docs/api.md): minimal APIs under /api/v1, authenticated by API keys (<c>Api:Keys</c>), errors as
/// RFC 7807 problem details, and its OpenAPI document at /openapi/v1.json.
/// </summary>
public static class ConnectPlusApi
{
    /// <summary>The authorization policy of every /api/v1 endpoint: a valid API key.</summary>
    public const string Policy = "ApiKey";

    public static IHostApplicationBuilder AddConnectPlusApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ApiKeyOptions>().Configure<IConfiguration>((o, c) => o.Load(c.GetSection(ApiKeyOptions.Section))).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        services.AddProblemDetails();
        // Enums by name (Published, SucceededWithErrors…): the words of the UI and the database.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi("v1", options =>
        {
            options.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Connect+ REST API",
                    Version = "v1",
                    Description = "Dataflows (versions, publish, import/export with connections referenced by name), runs and connections. Authenticate with the X-Api-Key header (docs/api.md).",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ApiKeyAuthenticationHandler.Header,
                    Description = "A key from the Api:Keys section of appsettings.json.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [] }];
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication UseConnectPlusApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWhen(c => c.Request.Path.StartsWithSegments(ApiPaths.Root), api => api.Use(ProblemForEmptyErrorsAsync));
        app.MapOpenApi("/openapi/{documentName}.json");
        var group = app.MapGroup(ApiPaths.Root)
            .RequireAuthorization(Policy)
            .AddEndpointFilter<ApiEndpointFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapDataflowEndpoints();
        group.MapRunEndpoints();
        group.MapConnectionEndpoints();
        return app;
    }

    /// <summary>
    /// An API error without a body (an unknown path, a wrong method or content type, a route or query value the framework
    /// could not bind) gets a problem body; the UI's status code pages, which would answer with an HTML page, are off for the API.
    /// </summary>
    private static async Task ProblemForEmptyErrorsAsync(HttpContext context, Func<Task> next)
    {
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        await next();
        var response = context.Response;
        if (response.StatusCode < 400 || response.HasStarted || response.ContentLength is not null || response.ContentType is not null) return;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = response.StatusCode, Detail = EmptyErrorDetail(context) },
        });
    }

    private static string EmptyErrorDetail(HttpContext context)
    {
        var request = $"{context.Request.Method} {context.Request.Path}";
        return context.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => $"There is no API endpoint {request}. The endpoints are listed in /openapi/v1.json.",
            StatusCodes.Status405MethodNotAllowed => $"{request}: this method is not allowed here. The endpoints are listed in /openapi/v1.json.",
            StatusCodes.Status415UnsupportedMediaType => $"{request}: send the body as application/json (or, for an import, a multipart/form-data upload).",
            _ => $"{request} cannot be handled as sent: check the route and query values against /openapi/v1.json.",
        };
    }
}
