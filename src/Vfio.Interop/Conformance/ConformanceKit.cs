using Vfio.Devices;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Conformance;

/// <summary>
/// The driver conformance kit: runs a device's migration implementation through the kernel's contract
/// (include/uapi/linux/vfio.h, the comments above <c>enum vfio_device_mig_state</c> and <c>struct vfio_precopy_info</c>,
/// and the arc table of <c>vfio_mig_get_next_state()</c>) and reports one row per check (docs/conformance.md).
/// </summary>
/// <remarks>
/// <para>It works on any <see cref="IVfioDevice"/>: the kernel device (real ioctls, the data_fd a real fd) and the
/// emulated device alike. It is destructive to guest-visible state: it stops the device, loads garbage into it and
/// resets it several times. It saves the device's own state first and loads it back at the end, so a conforming device
/// ends RUNNING with the state it had; a device that fails the round trip ends RUNNING after a reset, its state lost.</para>
/// <para>It never sends STOP_COPY to PRE_COPY or PRE_COPY_P2P (the kernel's planner never returns from it on 6.x
/// kernels); it checks instead that <see cref="MigrationDriver"/> refuses that arc without reaching the device.</para>
/// </remarks>
public static class ConformanceKit
{
    /// <summary>Runs every check on a device that nothing else has open.</summary>
    /// <param name="device">The device; the kit does not dispose it.</param>
    /// <param name="options">Saved streams to load and limits; null for none.</param>
    /// <returns>The report; <see cref="ConformanceReport.Passed"/> says whether any check failed.</returns>
    /// <exception cref="VfioException">
    /// <see cref="ErrorCode.MigrationUnsupported"/> when the device speaks no migration protocol;
    /// <see cref="ErrorCode.DeviceStateConflict"/> when it is not RUNNING at the start (it is then left untouched).
    /// </exception>
    public static ConformanceReport Run(IVfioDevice device, ConformanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        MigrationDriver driver = MigrationDriver.Open(device);
        MigrationState start = driver.GetState();
        if (start != MigrationState.Running)
        {
            throw InteropErrors.ConformanceNeedsRunning(device.Name, start, ConformanceChecks.StateName(start));

        }
        var run = new ConformanceRun(device, driver, options ?? new ConformanceOptions());
        return new ConformanceReport(device.Name, driver.Protocol, driver.Features, run.Execute());
    }
}
