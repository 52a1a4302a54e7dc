using System.Buffers.Binary;

namespace Vfio.DeviceModels.State;

/// <summary>Encodes into a <see cref="StateBuffer"/>, patching each section's length once its body is written.</summary>
internal sealed class BufferSink(StateBuffer buffer) : StateSink
{
    // For each open section: the offset of its length field.
    private readonly Stack<int> _open = new();

    public override void Write(ReadOnlySpan<byte> bytes) => bytes.CopyTo(buffer.Append(bytes.Length));

    public override uint BeginSection(int headerLength)
    {
        _open.Push(buffer.Length + headerLength - 4);
        return 0;
    }

    public override void EndSection()
    {
        int lengthAt = _open.Pop();
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.At(lengthAt, 4), (uint)(buffer.Length - lengthAt - 4));
    }
}
