using System.Buffers.Binary;
using System.Numerics;
using Vfio.Devices;
using Vfio.Emulation;
using Vfio.Errors;
using Vfio.Migration;

namespace Vfio.Tests.Emulation;

/// <summary>
/// A small device for the tests: its state is a byte array that may change only while it runs. Saving emits
/// records [kind u8][length u32][payload][crc32c u32]: a pre-copy record with the memory as it was when pre-copy
/// began, then a final record with the memory at STOP_COPY. Loading checks every record and takes the final one.
/// Step accepts direct arcs only, so any path the driver plans wrongly fails here.
/// </summary>
internal sealed class ByteArrayBackend(int size, MigrationFeatures features) : IMigrationBackend
{
    private const byte PreCopyRecord = 1, FinalRecord = 2;
    private readonly List<byte> _outgoing = [];
    private int _outgoingRead;
    private readonly List<byte> _incoming = [];

    public byte[] Memory { get; private set; } = new byte[size];

    public MigrationState State { get; private set; } = MigrationState.Running;

    public MigrationFeatures Features { get; } = features;

    public List<StateArc> Arcs { get; } = [];

    public int Resets { get; private set; }

    public List<int> WriteSizes { get; } = [];

    public bool FailReset { get; set; }

    public bool IsRunning => State is MigrationState.Running or MigrationState.RunningP2P or MigrationState.PreCopy or MigrationState.PreCopyP2P;

    public static ByteArrayBackend Filled(int size, MigrationFeatures features, int seed)
    {
        var b = new ByteArrayBackend(size, features);
        new Random(seed).NextBytes(b.Memory);
        return b;
    }

    /// <summary>What the guest does to a running device.</summary>
    public void Poke(int offset, byte value)
    {
        if (!IsRunning)
        {
            throw new InvalidOperationException($"device stopped in {State}; it must not change");
        }
        Memory[offset] = value;
    }

    public void Step(MigrationState next)
    {
        if (!MigrationArcs.IsDirectArc(State, next, Features))
        {
            throw new VfioException(ErrorCode.IllegalStateArc, $"backend: {State} -> {next} is not a direct arc");
        }
        bool wasSaving = State is MigrationState.PreCopy or MigrationState.PreCopyP2P or MigrationState.StopCopy;
        if (next is MigrationState.PreCopy or MigrationState.PreCopyP2P && !wasSaving)
        {
            _outgoing.Clear();
            _outgoingRead = 0;
            AppendRecord(PreCopyRecord);
        }
        if (next == MigrationState.StopCopy)
        {
            if (!wasSaving)
            {
                _outgoing.Clear();
                _outgoingRead = 0;
            }
            AppendRecord(FinalRecord);
        }
        if (next == MigrationState.Resuming)
        {
            _incoming.Clear();
        }
        if (State == MigrationState.Resuming)
        {
            // vfio.h: leaving RESUMING completes the load; bad data fails the arc and the device stays put.
            Memory = Load([.. _incoming]);
        }
        Arcs.Add(new StateArc(State, next));
        State = next;
    }

    public int ReadData(Span<byte> buffer)
    {
        int available = _outgoing.Count - _outgoingRead;
        if (available == 0)
        {
            return State == MigrationState.StopCopy ? 0 : -1;
        }
        int n = Math.Min(available, buffer.Length);
        for (int i = 0; i < n; i++)
        {
            buffer[i] = _outgoing[_outgoingRead + i];
        }
        _outgoingRead += n;
        return n;
    }

    public void WriteData(ReadOnlySpan<byte> data)
    {
        if (State != MigrationState.Resuming)
        {
            throw new InvalidOperationException("not resuming");
        }
        WriteSizes.Add(data.Length);
        _incoming.AddRange(data);
    }

    public PrecopyInfo GetPrecopyInfo() => new((ulong)(_outgoing.Count - _outgoingRead), 0);

    public ulong GetStopCopySize() => (ulong)(Memory.Length + 9);

    public void Reset()
    {
        if (FailReset)
        {
            throw new VfioException(ErrorCode.KernelCallFailed, "backend: VFIO_DEVICE_RESET failed: EIO");
        }
        Resets++;
        State = MigrationState.Running;
        Array.Clear(Memory);
        _outgoing.Clear();
        _incoming.Clear();
    }

    private void AppendRecord(byte kind)
    {
        Span<byte> head = stackalloc byte[5];
        head[0] = kind;
        BinaryPrimitives.WriteUInt32LittleEndian(head[1..], (uint)Memory.Length);
        _outgoing.AddRange(head);
        _outgoing.AddRange(Memory);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc(Memory));
        _outgoing.AddRange(crc);
    }

    private static byte[] Load(byte[] data)
    {
        byte[]? final = null;
        int at = 0;
        while (at < data.Length)
        {
            if (data.Length - at < 5)
            {
                throw LoadFailed($"truncated record header at {at}");
            }
            byte kind = data[at];
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at + 1));
            if (data.Length - at - 5 < length + 4)
            {
                throw LoadFailed($"truncated record at {at}");
            }
            byte[] payload = data.AsSpan(at + 5, length).ToArray();
            if (BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at + 5 + length)) != Crc(payload))
            {
                throw LoadFailed($"record at {at} fails its checksum");
            }
            if (kind == FinalRecord)
            {
                final = payload;
            }
            at += 5 + length + 4;
        }
        return final ?? throw LoadFailed("no final record");
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint crc = 0;
        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return crc;
    }

    private static VfioException LoadFailed(string why) => new(ErrorCode.DeviceStateLoadFailed, $"backend: load failed: {why}");
}
