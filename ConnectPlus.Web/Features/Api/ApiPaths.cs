using System.Globalization;

namespace ConnectPlus.Web.Features.Api;

/// <summary>The REST API's URLs, for Location headers and links.</summary>
public static class ApiPaths
{
    public const string Root = "/api/v1";
    public const string Dataflows = Root + "/dataflows";
    public const string Runs = Root + "/runs";

    public static string Export(int dataflowId, int number) => string.Create(CultureInfo.InvariantCulture, $"{Dataflows}/{dataflowId}/versions/{number}/export");

    public static string Run(long runId) => string.Create(CultureInfo.InvariantCulture, $"{Runs}/{runId}");
}
