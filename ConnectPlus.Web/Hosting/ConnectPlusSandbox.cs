using ConnectPlus.Web.Sandbox;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConnectPlus.Web.Hosting;

/// <summary>The Capillary API sandbox (see Sandbox/ and docs/sandbox.md): services, and its endpoints when enabled.</summary>
public static class ConnectPlusSandbox
{
    public static IHostApplicationBuilder AddConnectPlusSandbox(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SandboxOptions>().Bind(builder.Configuration.GetSection(SandboxOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SandboxOptions>, SandboxOptionsValidator>();
        // Tests replace the clock with a fake one; the sandbox never reads the time any other way.
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SandboxStore>();
        services.AddSingleton<SandboxRequestLog>();
        services.AddSingleton<SandboxFaultInjector>();
        services.AddSingleton<SandboxTokens>();
        services.AddSingleton<SandboxAuthenticator>();
        services.AddSingleton<SandboxServices>();
        services.AddSingleton<SandboxPipeline>();
        return builder;
    }

    /// <summary>Maps /sandbox/capillary/… unless <c>Sandbox:Enabled</c> is false (then those paths answer 404).</summary>
    public static WebApplication UseConnectPlusSandbox(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<IOptions<SandboxOptions>>().Value.Enabled)
        {
            // Answered here: an unmapped POST would otherwise reach the UI's not-found page and fail antiforgery (400).
            app.Map(SandboxEndpoints.Prefix + "/{**rest}", () => Results.Json(
                new { errors = new[] { new { status = false, code = 404, message = "The Capillary sandbox is off (Sandbox:Enabled in appsettings.json)." } } },
                statusCode: StatusCodes.Status404NotFound));
            return app;
        }
        app.MapSandboxApis();
        app.MapSandboxAdmin();
        return app;
    }
}
