namespace Vfio.Samples.Nic;

/// <summary>The NIC's traffic counters, as the guest reads them from its statistics registers.</summary>
/// <param name="RxPackets">Packets received into the ring.</param>
/// <param name="RxBytes">Bytes received into the ring.</param>
/// <param name="TxPackets">Packets sent.</param>
/// <param name="TxBytes">Bytes sent.</param>
/// <param name="RxCrcErrors">Frames dropped for a bad CRC; counted by the current build only, and saved as an
/// optional field, so an old build skips it and a migration through the old build resets it to 0.</param>
public readonly record struct NicCounters(ulong RxPackets, ulong RxBytes, ulong TxPackets, ulong TxBytes, ulong RxCrcErrors);
