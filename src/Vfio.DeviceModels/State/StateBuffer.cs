using System.Buffers;

namespace Vfio.DeviceModels.State;

/// <summary>A growable pooled byte buffer with back-patching, the target of <see cref="DeviceStateWriter"/>.</summary>
internal sealed class StateBuffer : IDisposable
{
    private byte[] _array;

    public StateBuffer(int initialCapacity = 256) => _array = ArrayPool<byte>.Shared.Rent(initialCapacity);

    /// <summary>Bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, Length);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, Length);

    /// <summary>Hands out <paramref name="count"/> bytes at the end and counts them as written.</summary>
    public Span<byte> Append(int count)
    {
        if ((long)Length + count > Array.MaxLength)
        {
            throw new InvalidOperationException($"device state section exceeds {Array.MaxLength} bytes; split it into several sections");
        }
        if (Length + count > _array.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max((long)_array.Length * 2, (long)Length + count)));
            _array.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = bigger;
        }
        Span<byte> span = _array.AsSpan(Length, count);
        Length += count;
        return span;
    }

    /// <summary>Writable access to bytes already written, for patching a length.</summary>
    public Span<byte> At(int offset, int count) => _array.AsSpan(offset, count);

    /// <summary>Forgets the contents, keeping the array.</summary>
    public void Clear() => Length = 0;

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_array);
        _array = [];
        Length = 0;
    }
}
