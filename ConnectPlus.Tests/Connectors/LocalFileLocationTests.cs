using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Local;

namespace ConnectPlus.Tests.Connectors;

/// <summary>The contract on a local folder (the reference implementation).</summary>
[Collection(FileServersGroup.Name)]
public sealed class LocalFileLocationTests : FileLocationContractTests
{
    private static readonly string Area = Path.Combine(Path.GetTempPath(), "connectplus-tests", "local-locations");

    protected override IFileLocation Open(string root, RetryPolicy? retry = null) => new LocalFileLocation(Path.Combine(Area, root));

    protected override Task CreateRootAsync(string root)
    {
        Directory.CreateDirectory(Path.Combine(Area, root));
        return Task.CompletedTask;
    }

    protected override Task RemoveRootAsync(string root)
    {
        var folder = Path.Combine(Area, root);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
