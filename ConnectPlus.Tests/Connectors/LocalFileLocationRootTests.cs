using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Local;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Connectors;

public sealed class LocalFileLocationRootTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Paths_WorkBelowADriveRoot_WhoseNameEndsWithTheSeparator()
    {
        var file = _temp.Write("a.csv", "a");
        var root = Path.GetPathRoot(file)!;
        await using var location = new LocalFileLocation(root);

        var found = await location.StatAsync(Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'), CancellationToken.None);

        Assert.Equal(1, found!.Size);
    }

    [Fact]
    public async Task Paths_StillMayNotLeaveTheRoot()
    {
        await using var location = new LocalFileLocation(_temp.Path);

        var refused = await Assert.ThrowsAsync<ConnectionException>(() => location.StatAsync("../elsewhere.csv", CancellationToken.None));

        Assert.Equal(ConnectionFailure.InvalidSettings, refused.Failure);
    }
}
