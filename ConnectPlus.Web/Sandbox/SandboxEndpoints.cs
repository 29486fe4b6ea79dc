using ConnectPlus.Web.Sandbox.Apis;

namespace ConnectPlus.Web.Sandbox;

/// <summary>The emulated Capillary endpoints under <c>/sandbox/capillary</c>, each run through <see cref="SandboxPipeline"/>.</summary>
internal static class SandboxEndpoints
{
    public const string Prefix = "/sandbox/capillary";

    public static readonly IReadOnlyList<SandboxEndpoint> Apis =
    [
        new("POST", "/v3/oauth/token/generate", SandboxApiFamily.OAuth, TokenApi.Generate),
        new("POST", "/v2/transactions/bulk", SandboxApiFamily.V2, V2TransactionsApi.Bulk),
        new("POST", "/v2/customers", SandboxApiFamily.V2, V2CustomersApi.Add),
        new("POST", "/v2/customers/bulk", SandboxApiFamily.V2, V2CustomersApi.Bulk),
        new("POST", "/v1.1/transaction/add", SandboxApiFamily.V11, V11TransactionsApi.Add),
        new("POST", "/v1.1/customer/add", SandboxApiFamily.V11, V11CustomersApi.Add),
        new("POST", "/v1.1/points/redeem", SandboxApiFamily.V11, V11PointsApi.Redeem),
    ];

    public static IEndpointRouteBuilder MapSandboxApis(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix);
        foreach (var endpoint in Apis)
        {
            group.MapMethods(endpoint.Path, [endpoint.Method], (HttpContext http, SandboxPipeline pipeline) => pipeline.RunAsync(http, endpoint));
        }
        return routes;
    }
}
