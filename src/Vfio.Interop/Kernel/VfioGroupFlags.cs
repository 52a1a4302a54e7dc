namespace Vfio.Kernel;

/// <summary>Flags of <c>struct vfio_group_status</c> (<c>VFIO_GROUP_GET_STATUS</c>).</summary>
[Flags]
public enum VfioGroupFlags : uint
{
    /// <summary>No flag: the group is not viable and has no container.</summary>
    None = 0,
    /// <summary><c>VFIO_GROUP_FLAGS_VIABLE</c>: every device of the group is bound to a VFIO driver (or none).</summary>
    Viable = 1 << 0,
    /// <summary><c>VFIO_GROUP_FLAGS_CONTAINER_SET</c>: the group is attached to a container.</summary>
    ContainerSet = 1 << 1,
}
