namespace Vfio.Samples.Serial;

/// <summary>One UART's registers and its loopback FIFO, after mtty's <c>struct serial_port</c>.</summary>
internal sealed class SerialPortState
{
    public const int FifoSize = 16;

    public byte[] Registers { get; } = new byte[8];

    public byte[] Fifo { get; } = new byte[FifoSize];

    public byte Head { get; set; }

    public byte Tail { get; set; }

    public byte Count { get; set; }

    public bool Dlab { get; set; }

    public bool Overrun { get; set; }

    public ushort Divisor { get; set; }

    public byte Fcr { get; set; }

    public byte MaxFifoSize { get; set; } = 1;

    public byte TriggerLevel { get; set; } = 1;

    public void Clear()
    {
        Array.Clear(Registers);
        Array.Clear(Fifo);
        Head = Tail = Count = 0;
        Dlab = Overrun = false;
        Divisor = 0;
        Fcr = 0;
        MaxFifoSize = 1;
        TriggerLevel = 1;
    }
}
