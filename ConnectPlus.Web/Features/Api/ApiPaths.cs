using System.Globalization;

namespace ConnectPlus.Web.Features.Api;

/// <summary>The REST API's URLs, for Location headers and links.</summary>
public static class ApiPaths
{
    public const string Root = "/api/v1";
    public const string Dataflows = Root + "/dataflows";
    public const string Runs = Root + "/runs";
    public const string Connections = Root + "/connections";

    public static string Export(int dataflowId, int number) => string.Create(CultureInfo.InvariantCulture, $"{Dataflows}/{dataflowId}/versions/{number}/export");

    /// <summary>A connection's URL: its name escaped, so that any name (spaces, slashes…) makes one path segment.</summary>
    public static string Connection(string name) => $"{Connections}/{Uri.EscapeDataString(name)}";

    public static string Run(long runId) => string.Create(CultureInfo.InvariantCulture, $"{Runs}/{runId}");
}
