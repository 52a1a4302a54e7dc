using System.CommandLine.Parsing;
using Vfio.Manager.Names;

namespace Vfio.Ctl.Cli;

/// <summary>A type on a host, written <c>&lt;parent&gt;/&lt;type&gt;</c> (e.g. <c>0000:00:03.0/nic-v2</c>).</summary>
internal readonly record struct TypeAddress(ParentDeviceName Parent, MdevTypeName Type)
{
    public override string ToString() => $"{Parent}/{Type}";

    public static TypeAddress? Parse(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && ParentDeviceName.TryParse(text[..slash], out ParentDeviceName parent) && MdevTypeName.TryParse(text[(slash + 1)..], out MdevTypeName type))
        {
            return new TypeAddress(parent, type);
        }
        result.AddError($"'{text}' is not <parent>/<type>, e.g. 0000:00:03.0/nic-v2.");
        return null;
    }
}
