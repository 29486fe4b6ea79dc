namespace ConnectPlus.Tests.Harness;

/// <summary>The repository the tests were built from: the folder above them that holds ConnectPlus.sln.</summary>
public static class TestRepository
{
    /// <summary>The repository's folder, or null when the tests run outside it.</summary>
    public static string? Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ConnectPlus.sln"))) return folder.FullName;
        }
        return null;
    }

    /// <summary>The repository's folder.</summary>
    /// <exception cref="InvalidOperationException">The tests run outside the repository.</exception>
    public static string Root => Find() ?? throw new InvalidOperationException("ConnectPlus.sln not found above " + AppContext.BaseDirectory);
}
