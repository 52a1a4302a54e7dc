using System.Diagnostics.CodeAnalysis;
using Vfio.Errors;

namespace Vfio.DeviceModels;

/// <summary>
/// A device model identifier of the form <c>&lt;domain&gt;/&lt;path&gt;</c>, e.g. <c>vendor-a.com/my-nic</c>
/// or <c>kernel.org/samples/mtty</c>. It names a hardware interface plus a device-state representation;
/// devices of different models never migrate into each other.
/// </summary>
/// <remarks>
/// The id is an identifier, not a URL: there is no scheme, and it is compared exactly (ordinal), so
/// <c>Vendor-A.com/x</c> and <c>vendor-a.com/x</c> cannot both exist. Parsing therefore refuses anything
/// that is not already canonical (lower case, no scheme, no empty path segment) rather than silently
/// rewriting it, and the refusal shows the canonical form when one can be derived.
/// <c>default(DeviceModelId)</c> is not a valid id; it prints as the empty string.
/// </remarks>
public readonly record struct DeviceModelId
{
    private DeviceModelId(string domain, string path)
    {
        Domain = domain;
        Path = path;
    }

    /// <summary>The domain of the vendor that owns the model, e.g. <c>vendor-a.com</c>; contains at least one dot.</summary>
    public string Domain { get; }

    /// <summary>The model's path under the domain, e.g. <c>my-nic</c> or <c>samples/mtty</c>; never empty.</summary>
    public string Path { get; }

    /// <summary>Parses a model id.</summary>
    /// <param name="text">The id, e.g. <c>vendor-a.com/my-nic</c>.</param>
    /// <returns>The id.</returns>
    /// <exception cref="DeviceModelException">
    /// <see cref="ErrorCode.ModelIdInvalid"/> when the text is not a canonical id; the message shows the
    /// canonical form when one can be derived (for <c>https://vendor-a.com/my-nic</c>: <c>vendor-a.com/my-nic</c>).
    /// </exception>
    public static DeviceModelId Parse(string text)
    {
        if (TryParseCore(text, out DeviceModelId id, out string? reason))
        {
            return id;
        }
        throw ModelErrors.ModelIdInvalid(text, reason, Suggest(text));

    }

    /// <summary>Parses a model id without throwing.</summary>
    /// <param name="text">The id, e.g. <c>vendor-a.com/my-nic</c>.</param>
    /// <param name="id">The id when the text is valid.</param>
    /// <returns><see langword="true"/> when the text is a canonical model id.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out DeviceModelId id) => TryParseCore(text, out id, out _);

    /// <summary>The canonical text, <c>&lt;domain&gt;/&lt;path&gt;</c>.</summary>
    /// <returns>The id as written in sysfs, capability documents and stream headers.</returns>
    public override string ToString() => Domain is null ? string.Empty : Domain + "/" + Path;

    private static bool TryParseCore([NotNullWhen(true)] string? text, out DeviceModelId id, out string? reason)
    {
        id = default;
        if (string.IsNullOrEmpty(text))
        {
            reason = "it is empty";
            return false;
        }
        if (text.Contains("://", StringComparison.Ordinal))
        {
            reason = "a model id has no URI scheme";
            return false;
        }
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                reason = "it contains white space or a control character";
                return false;
            }
            if (char.IsUpper(c))
            {
                reason = "it contains upper-case letters; ids are lower case and compared exactly";
                return false;
            }
        }
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            reason = "it has no '/' between domain and path";
            return false;
        }
        string domain = text[..slash];
        string path = text[(slash + 1)..];
        if (!IsDomain(domain, out reason) || !IsPath(path, out reason))
        {
            return false;
        }
        id = new DeviceModelId(domain, path);
        reason = null;
        return true;
    }

    private static bool IsDomain(string domain, out string? reason)
    {
        string[] labels = domain.Split('.');
        if (labels.Length < 2)
        {
            reason = $"the domain '{domain}' has no dot";
            return false;
        }
        foreach (string label in labels)
        {
            // DNS label rules (RFC 1123), lower case only.
            if (label.Length == 0 || label[0] == '-' || label[^1] == '-' || !label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                reason = $"the domain '{domain}' is not a lower-case DNS name";
                return false;
            }
        }
        reason = null;
        return true;
    }

    private static bool IsPath(string path, out string? reason)
    {
        if (path.Length == 0)
        {
            reason = "the path is empty";
            return false;
        }
        foreach (string segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or ".." ||
                !segment.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.'))
            {
                reason = $"the path '{path}' has an empty, '.' or '..' segment or a character outside a-z 0-9 - _ .";
                return false;
            }
        }
        reason = null;
        return true;
    }

    // The canonical form a user most likely meant: scheme dropped, lower case, surrounding slashes and
    // white space removed. Offered only when it is itself valid.
    private static string? Suggest(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        string s = text.Trim();
        int scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            s = s[(scheme + 3)..];
        }
        s = s.Trim('/').ToLowerInvariant();
        return s != text && TryParseCore(s, out _, out _) ? s : null;
    }
}
