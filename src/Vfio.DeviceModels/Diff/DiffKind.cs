namespace Vfio.DeviceModels.Diff;

/// <summary>What changed between two implementations' migration information.</summary>
public enum DiffKind
{
    /// <summary>The newer implementation offers a model the older one does not.</summary>
    ModelAdded = 0,
    /// <summary>The newer implementation no longer offers a model.</summary>
    ModelRemoved = 1,
    /// <summary>A parameter exists only in the newer implementation.</summary>
    ParameterAdded = 2,
    /// <summary>A parameter exists only in the older implementation.</summary>
    ParameterRemoved = 3,
    /// <summary>A parameter's type changed.</summary>
    TypeChanged = 4,
    /// <summary>A parameter's off value changed, so "absent" means something different on each side.</summary>
    OffValueChanged = 5,
    /// <summary>A parameter's init value changed (affects only devices created with nothing pinned).</summary>
    InitValueChanged = 6,
    /// <summary>The newer implementation allows a strict subset of the older one's values.</summary>
    AllowedValuesNarrowed = 7,
    /// <summary>The newer implementation allows a strict superset of the older one's values.</summary>
    AllowedValuesWidened = 8,
    /// <summary>Each side allows values the other does not.</summary>
    AllowedValuesChanged = 9,
    /// <summary>A version exists only in the newer implementation.</summary>
    VersionAdded = 10,
    /// <summary>A version exists only in the older implementation.</summary>
    VersionRemoved = 11,
    /// <summary>A version name expands to different values on each side.</summary>
    VersionRedefined = 12,
    /// <summary>The latest version changed.</summary>
    LatestChanged = 13,
}
