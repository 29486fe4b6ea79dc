namespace ConnectPlus.Tests.Web;

public sealed class HomePageTests(ConnectPlusWebFactory factory) : IClassFixture<ConnectPlusWebFactory>
{
    [Fact]
    public async Task HomePage_ListsTheBlockCatalog()
    {
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Contains("<title>Connect&#x2B;</title>", html);
        Assert.Contains("These are the blocks a dataflow is drawn from.", html);
    }
}
