using System.Security.Cryptography;
using System.Text;

namespace ConnectPlus.Engine.Expressions;

public static partial class FormulaFunctions
{
    private static IEnumerable<FormulaFunction> HashingFunctions() =>
    [
        new(c => Hash(c, SHA256.HashData))
        {
            Name = "sha256", Category = FormulaCategory.Hashing, Signature = "sha256(text)",
            Description = "SHA-256 of the text's UTF-8 bytes, as 64 lowercase hex digits. Missing stays missing.",
            Example = "sha256('hello')", ExampleResult = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", MinArguments = 1, MaxArguments = 1,
        },
        new(c => Hash(c, SHA512.HashData))
        {
            Name = "sha512", Category = FormulaCategory.Hashing, Signature = "sha512(text)",
            Description = "SHA-512 of the text's UTF-8 bytes, as 128 lowercase hex digits. Missing stays missing.",
            Example = "sha512('hello')", ExampleResult = "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043", MinArguments = 1, MaxArguments = 1,
        },
        new(c => Hash(c, Sha1))
        {
            Name = "sha1", Category = FormulaCategory.Hashing, Signature = "sha1(text)",
            Description = "SHA-1 of the text's UTF-8 bytes, as 40 lowercase hex digits (for systems that expect it; not for security). Missing stays missing.",
            Example = "sha1('hello')", ExampleResult = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", MinArguments = 1, MaxArguments = 1,
        },
        new(c => Hash(c, Md5))
        {
            Name = "md5", Category = FormulaCategory.Hashing, Signature = "md5(text)",
            Description = "MD5 of the text's UTF-8 bytes, as 32 lowercase hex digits (for systems that expect it; not for security). Missing stays missing.",
            Example = "md5('hello')", ExampleResult = "5d41402abc4b2a76b9719d911017c592", MinArguments = 1, MaxArguments = 1,
        },
    ];

    private static string? Hash(FormulaCall c, Func<byte[], byte[]> hash) =>
        c.Text(0) is { } text ? Convert.ToHexStringLower(hash(Encoding.UTF8.GetBytes(text))) : null;

    // SHA-1 and MD5 fingerprint data for systems that ask for them (matching keys, legacy ids); nothing is secured with them.
#pragma warning disable CA5350, CA5351
    private static byte[] Sha1(byte[] data) => SHA1.HashData(data);

    private static byte[] Md5(byte[] data) => MD5.HashData(data);
#pragma warning restore CA5350, CA5351
}
