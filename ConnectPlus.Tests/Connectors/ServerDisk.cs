namespace ConnectPlus.Tests.Connectors;

/// <summary>
/// The SFTP and FTP servers serve the test account's home on this machine: tests make and remove their
/// folders there directly (as root), so that setting up does not depend on the code under test.
/// </summary>
internal static class ServerDisk
{
    public static Task CreateFolderAsync(string name)
    {
        var folder = Path.Combine(TestServers.UploadFolder, name);
        Directory.CreateDirectory(folder);
        // Root creates it; the test account (another user) must write in it.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        return Task.CompletedTask;
    }

    public static Task RemoveFolderAsync(string name)
    {
        var folder = Path.Combine(TestServers.UploadFolder, name);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
