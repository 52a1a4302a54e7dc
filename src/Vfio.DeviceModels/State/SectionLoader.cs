namespace Vfio.DeviceModels.State;

/// <summary>
/// A device that loads its sections while the state still arrives (RESUMING), as the
/// <see cref="DeviceStateAssembler"/> sees it: which top-level fields are its sections, where a section's byte
/// fields go, and the load of a verified section.
/// </summary>
internal abstract class SectionLoader
{
    /// <summary>Whether the top-level field <paramref name="name"/> is one of the device's sections.</summary>
    public abstract bool Takes(string name);

    /// <summary>
    /// The device memory the byte field <paramref name="field"/> of <paramref name="section"/> is copied into as it
    /// arrives, exactly <paramref name="length"/> bytes long; empty to receive it through the section's reader instead.
    /// </summary>
    public abstract Memory<byte> Target(string section, string field, int length);

    /// <summary>Loads a section whose checksum frame was verified; its target fields are already in place.</summary>
    public abstract void Load(string section, DeviceStateReader reader);
}
