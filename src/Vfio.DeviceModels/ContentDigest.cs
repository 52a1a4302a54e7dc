using System.IO.Hashing;

namespace Vfio.DeviceModels;

/// <summary>
/// The one content hash of the project: XXH128 (System.IO.Hashing), fully managed. Nothing here may need a native
/// crypto library: on Linux .NET's SHA-256 is OpenSSL's, and minimal hypervisor images ship no libssl, so a verb that
/// hashed with it would abort there ("No usable version of libssl was found"). These digests identify content
/// (a model description, a state value shown to a person); they are not a defence against a forger.
/// </summary>
public static class ContentDigest
{
    /// <summary>The XXH128 of <paramref name="data"/> as 32 lower-case hex digits.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The digest, hex.</returns>
    public static string Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(XxHash128.Hash(data));
}
