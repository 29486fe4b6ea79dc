using System.Security.Cryptography;
using ConnectPlus.Engine.Validation;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Pgp;

/// <summary>Runs the PGP blocks through the harness for the tests of both.</summary>
public static class PgpRuns
{
    /// <summary>Encrypts one file with the pgp-encrypt block; returns the encrypted file, copied into <paramref name="into"/>.</summary>
    public static async Task<string> EncryptAsync(TempFolder into, string path, object settings)
    {
        var result = await BlockHarness.For("pgp-encrypt", settings).WithLocalFiles("files", path).RunAsync();
        using (result.Folder)
        {
            result.AssertSucceeded();
            var file = result.Files("files").Single();
            // A folder of its own keeps the name and lets two encrypted files share it.
            var target = into[Path.Combine(Guid.NewGuid().ToString("N")[..8], file.Item.Name)];
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file.CopyPath, target);
            return target;
        }
    }

    /// <summary>Settings that encrypt for <paramref name="key"/> (more settings may be added).</summary>
    public static Dictionary<string, object?> EncryptFor(TestKey key, object? more = null) => With(new() { ["publicKey"] = key.Public }, more);

    /// <summary>Settings that decrypt with <paramref name="key"/> (more settings may be added).</summary>
    public static Dictionary<string, object?> DecryptWith(TestKey key, object? more = null) =>
        With(new() { ["privateKey"] = key.Private, ["passphrase"] = key.Passphrase }, more);

    public static Task<HarnessResult> DecryptAsync(object settings, params string[] paths) =>
        BlockHarness.For("pgp-decrypt", settings).WithLocalFiles("files", paths).RunAsync();

    public static IReadOnlyList<ValidationIssue> Validate(string blockType, object settings) =>
        new DataflowValidator(BlockHarness.Catalog).Validate(BlockHarness.For(blockType, settings).WithFiles("files").BuildDataflow());

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <summary>Writes <paramref name="size"/> random bytes (incompressible, every byte value) in chunks.</summary>
    public static string WriteRandom(TempFolder folder, string name, long size, int seed = 7)
    {
        var path = folder[name];
        var random = new Random(seed);
        var chunk = new byte[1 << 20];
        using var file = File.Create(path);
        for (long left = size; left > 0; left -= chunk.Length)
        {
            random.NextBytes(chunk);
            file.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
        }
        return path;
    }

    private static Dictionary<string, object?> With(Dictionary<string, object?> settings, object? more)
    {
        if (more is null) return settings;
        foreach (var property in more.GetType().GetProperties())
            settings[property.Name] = property.GetValue(more);
        return settings;
    }
}
