using System.Globalization;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>
/// This node's name, written on the runs it takes (<see cref="Data.Run.Node"/>): <c>Engine:NodeName</c> in
/// appsettings.json, or by default the machine name and the process id (<c>web-01/4711</c>), so two instances
/// on one machine differ. A fixed name lets a restarted node recognise at once the runs it left behind; with
/// the default, a restart finds them once their heartbeat is stale.
/// </summary>
public sealed class RunNode(string name)
{
    public string Name { get; } = string.IsNullOrWhiteSpace(name) ? DefaultName() : name.Trim();

    /// <summary>The node of this process, from configuration.</summary>
    public static RunNode From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new RunNode(configuration["Engine:NodeName"] ?? "");
    }

    /// <summary>Machine name and process id.</summary>
    public static string DefaultName() => $"{Environment.MachineName}/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() => Name;
}
