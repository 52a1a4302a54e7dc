using System.Collections.Concurrent;
using Vfio.Manager.Errors;
using Vfio.Manager.Names;

namespace Vfio.Manager.Emulation;

/// <summary>
/// Fault injection points of the emulated host's sysfs (the device-level faults are Vfio.Emulation.EmulatedFaults), for tests that prove a failure is rolled back: each fault makes
/// the emulated kernel refuse an operation the way a driver's store() returning an error would.
/// </summary>
public sealed class EmulatedHostFaults
{
    private readonly ConcurrentDictionary<string, bool> _refusedParameters = new(StringComparer.Ordinal);

    /// <summary>Makes every write to a <c>migration/&lt;parameter&gt;</c> file of any device fail (as EIO would).</summary>
    /// <param name="parameter">The parameter whose writes fail.</param>
    public void RefuseParameterWrites(AttributeName parameter) => _refusedParameters[parameter.Value] = true;

    /// <summary>Throws the injected failure for a parameter write, if one is set.</summary>
    internal void OnParameterWrite(MdevUuid device, AttributeName parameter, string value)
    {
        if (_refusedParameters.ContainsKey(parameter.Value))
        {
            throw ManagerErrors.EmulatedWriteRefused($"migration/{parameter} of {device}", value, "input/output error (injected fault)", device, parameter);

        }
    }
}
