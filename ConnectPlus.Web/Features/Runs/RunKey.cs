using System.Globalization;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>Run keys (<see cref="Data.Run.Key"/>) in the engine's run id format: <c>20250102-030405-ab12cd</c>.</summary>
public static class RunKey
{
    public static string New(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return $"{time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..6]}";
    }
}
