using System.Runtime.InteropServices;

namespace Vfio;

internal static partial class Interop
{
    internal static partial class Vfio
    {
        // The header of every capability in a device-info or region-info chain. next is an offset from the
        // start of the info buffer (not from this header); 0 ends the chain.
        [StructLayout(LayoutKind.Sequential)]
        internal struct vfio_info_cap_header
        {
            public ushort id;
            public ushort version;
            public uint next;
        }
    }
}
