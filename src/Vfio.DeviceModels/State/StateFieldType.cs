using Vfio.Errors;

namespace Vfio.DeviceModels.State;

/// <summary>
/// The type of a device-state field, as encoded in the low five bits of its tag byte (docs/device-state-format.md).
/// </summary>
/// <remarks>Numbers are part of the format and never change. Codes 10-31 are reserved: a reader that meets one
/// skips the field when it is optional and refuses it (<see cref="ErrorCode.DeviceStateFieldUnknown"/>) when it
/// is required, because every field carries its length.</remarks>
public enum StateFieldType : byte
{
    /// <summary>Unsigned 8-bit integer, 1 byte.</summary>
    U8 = 1,
    /// <summary>Unsigned 16-bit integer, 2 bytes little-endian.</summary>
    U16 = 2,
    /// <summary>Unsigned 32-bit integer, 4 bytes little-endian.</summary>
    U32 = 3,
    /// <summary>Unsigned 64-bit integer, 8 bytes little-endian.</summary>
    U64 = 4,
    /// <summary>Signed 64-bit integer, 8 bytes little-endian two's complement.</summary>
    I64 = 5,
    /// <summary>Boolean, 1 byte: 0 or 1 (any other value is malformed).</summary>
    Bool = 6,
    /// <summary>UTF-8 text, any length up to the remaining bytes.</summary>
    String = 7,
    /// <summary>Opaque bytes.</summary>
    Bytes = 8,
    /// <summary>A nested list of fields.</summary>
    Section = 9,
}
