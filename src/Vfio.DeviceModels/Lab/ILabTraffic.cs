namespace Vfio.DeviceModels.Lab;

/// <summary>
/// The lab contract: what a device's code may offer so that the lab verbs of an emulated host can drive it
/// (<c>vfioctl traffic</c>, and the traffic of <c>vfioctl demo</c>). A device gets state worth migrating by running a
/// deterministic simulated workload; the same seed and count on the same state give the same state after.
/// </summary>
/// <remarks>
/// <para>Optional: a device whose code (the <c>IMigrationBackend</c> a <c>DeviceImplementation</c> creates) does not
/// implement it still runs, saves, loads and migrates; only <c>traffic</c> refuses it (E6056 lab-contract-missing).
/// Fault injection (<c>vfioctl fault</c>) needs nothing from the device: faults act on the emulated VFIO surface.</para>
/// <para>The host calls it only while the device executes (RUNNING, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P) and persists
/// the device's state afterwards, through the device's own save code.</para>
/// </remarks>
public interface ILabTraffic
{
    /// <summary>Runs <paramref name="units"/> units of simulated work (packets for a NIC, characters for a serial port).</summary>
    /// <param name="seed">Seed of the deterministic workload.</param>
    /// <param name="units">How many units to simulate; 0 or more.</param>
    /// <returns>The device's counters after the run.</returns>
    LabTrafficCounters SimulateTraffic(int seed, int units);
}

/// <summary>A device's traffic counters after <see cref="ILabTraffic.SimulateTraffic"/>, as its guest would read them.</summary>
/// <param name="RxPackets">Units received (packets, characters).</param>
/// <param name="RxBytes">Bytes received.</param>
/// <param name="TxPackets">Units sent.</param>
/// <param name="TxBytes">Bytes sent.</param>
public readonly record struct LabTrafficCounters(ulong RxPackets, ulong RxBytes, ulong TxPackets, ulong TxBytes);
