namespace Vfio.DeviceModels.Diff;

/// <summary>How a change between two implementations affects migrations in one direction.</summary>
public enum MigrationImpact
{
    /// <summary>No configuration of the source side is affected.</summary>
    None = 0,

    /// <summary>Some configurations can no longer migrate (the finding's explanation says which); the runtime check refuses them.</summary>
    SomeConfigurations = 1,

    /// <summary>No device of the affected model can migrate in this direction.</summary>
    AllConfigurations = 2,
}
