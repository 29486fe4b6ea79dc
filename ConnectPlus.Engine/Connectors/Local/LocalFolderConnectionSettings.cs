using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Connectors.Local;

/// <summary>A folder on the machine that runs Connect+ (or a share mounted on it).</summary>
[ConnectionType("local", "Local folder", Icon = "folder")]
public sealed class LocalFolderConnectionSettings : IFileConnectionSettings
{
    /// <summary>The root folder; the folders that dataflows name are inside it. Use an absolute path.</summary>
    [Required(ErrorMessage = "Give the folder's path.")]
    [Setting(Order = 1, Editor = EditorHint.FolderPath, Placeholder = "/data/brand")]
    public string Folder { get; set; } = "";

    public IFileLocation Open(string connectionName, Action<RetryNotice>? onRetry) => new LocalFileLocation(Folder);
}
