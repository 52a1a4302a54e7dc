using System.Globalization;
using Vfio.DeviceModels.State;
using Vfio.Errors;

namespace Vfio.Samples.Serial;

public sealed partial class SerialDevice
{
    /// <summary>
    /// Writes the head (magic, major and minor version, port count), as mtty's <c>struct mtty_data</c> does, then one
    /// section per port. Runs in STOP_COPY.
    /// </summary>
    /// <param name="writer">Where the fields go.</param>
    protected override void SaveState(DeviceStateWriter writer)
    {
        lock (_gate)
        {
            writer.WriteU64("magic", Magic);
            writer.WriteU32("major-version", MajorVersion);
            writer.WriteU32("minor-version", MinorVersion);
            writer.WriteU32("nr-ports", (uint)_ports.Length);
            for (int i = 0; i < _ports.Length; i++)
            {
                SerialPortState p = _ports[i];
                writer.WriteSection(PortSection(i), s =>
                {
                    s.WriteBytes("registers", p.Registers);
                    s.WriteBytes("fifo", p.Fifo);
                    s.WriteU8("head", p.Head);
                    s.WriteU8("tail", p.Tail);
                    s.WriteU8("count", p.Count);
                    s.WriteBool("dlab", p.Dlab);
                    s.WriteBool("overrun", p.Overrun);
                    s.WriteU16("divisor", p.Divisor);
                    s.WriteU8("fcr", p.Fcr);
                    s.WriteU8("max-fifo-size", p.MaxFifoSize);
                    s.WriteU8("trigger-level", p.TriggerLevel);
                });
            }
        }
    }

    /// <summary>Checks the head (magic, major version, port count) before touching a port, then loads every port.</summary>
    /// <param name="reader">The saved fields.</param>
    /// <exception cref="DeviceStateException"><see cref="ErrorCode.DeviceStateLoadFailed"/> for another magic, major
    /// version or port count, or an inconsistent FIFO; <see cref="ErrorCode.DeviceStateMalformed"/> for a missing field.</exception>
    protected override void LoadState(DeviceStateReader reader)
    {
        ulong magic = reader.ReadU64("magic");
        if (magic != Magic)
        {
            throw Refused("magic", $"saved state has magic 0x{magic:X16}, expected 0x{Magic:X16}: it is not an mtty-sdk state");
        }
        uint major = reader.ReadU32("major-version");
        reader.ReadU32("minor-version"); // any minor of this major loads: newer minors add only optional fields
        if (major != MajorVersion)
        {
            throw Refused("major-version", $"saved state has major version {major}, this implementation loads {MajorVersion}");
        }
        uint ports = reader.ReadU32("nr-ports");
        if (ports != _ports.Length)
        {
            throw Refused("nr-ports", $"saved state has {ports} port(s), this device has {_ports.Length}");
        }
        var loaded = new SerialPortState[_ports.Length];
        for (int i = 0; i < loaded.Length; i++)
        {
            loaded[i] = LoadPort(reader.ReadSection(PortSection(i)), PortSection(i));
        }
        lock (_gate)
        {
            for (int i = 0; i < loaded.Length; i++)
            {
                SerialPortState from = loaded[i], to = _ports[i];
                from.Registers.CopyTo(to.Registers, 0);
                from.Fifo.CopyTo(to.Fifo, 0);
                (to.Head, to.Tail, to.Count) = (from.Head, from.Tail, from.Count);
                (to.Dlab, to.Overrun, to.Divisor) = (from.Dlab, from.Overrun, from.Divisor);
                (to.Fcr, to.MaxFifoSize, to.TriggerLevel) = (from.Fcr, from.MaxFifoSize, from.TriggerLevel);
            }
        }
    }

    private SerialPortState LoadPort(DeviceStateReader s, string path)
    {
        var p = new SerialPortState();
        Exact(s.ReadBytes("registers"), path + "/registers").CopyTo(p.Registers);
        Exact(s.ReadBytes("fifo"), path + "/fifo", SerialPortState.FifoSize).CopyTo(p.Fifo);
        p.Head = s.ReadU8("head");
        p.Tail = s.ReadU8("tail");
        p.Count = s.ReadU8("count");
        p.Dlab = s.ReadBool("dlab");
        p.Overrun = s.ReadBool("overrun");
        p.Divisor = s.ReadU16("divisor");
        p.Fcr = s.ReadU8("fcr");
        p.MaxFifoSize = s.ReadU8("max-fifo-size");
        p.TriggerLevel = s.ReadU8("trigger-level");
        if (p.Head >= SerialPortState.FifoSize || p.Tail >= SerialPortState.FifoSize || p.Count > p.MaxFifoSize
            || p.MaxFifoSize is not (1 or SerialPortState.FifoSize) || (p.Tail + p.Count) % SerialPortState.FifoSize != p.Head)
        {
            throw Refused(path + "/count", $"FIFO head {p.Head}, tail {p.Tail}, count {p.Count}, size {p.MaxFifoSize} are inconsistent");
        }
        return p;
    }

    private ReadOnlySpan<byte> Exact(ReadOnlyMemory<byte> value, string field, int length = 8) =>
        value.Length == length ? value.Span
        : throw new DeviceStateException(ErrorCode.DeviceStateMalformed, Name, field,
            $"device {Name}: saved field '{field}' is {value.Length} bytes, expected {length}");

    private DeviceStateException Refused(string field, string what) =>
        new(ErrorCode.DeviceStateLoadFailed, Name, field, $"device {Name}: cannot load field '{field}': {what}");

    private static string PortSection(int i) => "port-" + i.ToString(CultureInfo.InvariantCulture);
}
