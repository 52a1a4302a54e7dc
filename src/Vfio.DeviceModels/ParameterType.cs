namespace Vfio.DeviceModels;

/// <summary>The type of a migration parameter; it decides how values are written and compared.</summary>
public enum ParameterType
{
    /// <summary>A switch written <c>on</c> or <c>off</c>, nothing else (no <c>1</c>, <c>true</c> or <c>ON</c>).</summary>
    Bool = 0,

    /// <summary>
    /// A non-negative integer written in decimal; <c>064</c> is read as <c>64</c> and always printed as <c>64</c>.
    /// Allowed values are ranges such as <c>0-255,512</c>.
    /// </summary>
    Int = 1,

    /// <summary>A token from a fixed list (no commas, equals signs or white space), compared exactly.</summary>
    Str = 2,
}
