using System.IO.Pipes;
using Vfio.IO;

namespace Vfio.Tests.Manager.Safety;

/// <summary>F_GETPIPE_SZ / F_SETPIPE_SZ through Tmds.LibC: a pipe grows to a chunk, never shrinks, and a descriptor that
/// is not a pipe is left alone.</summary>
public sealed class UnixPipeTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vfio-pipe-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task APipe_GrowsToAChunk_BothEndsSeeIt_AndHoldsAChunkWithoutAReader()
    {
        using var output = new AnonymousPipeServerStream(PipeDirection.Out);
        using var input = new AnonymousPipeClientStream(PipeDirection.In, output.ClientSafePipeHandle);
        Assert.Equal(UnixPipe.DefaultCapacity, UnixPipe.Capacity(output.SafePipeHandle));

        Assert.Equal(UnixPipe.StreamCapacity, UnixPipe.TryGrow(output.SafePipeHandle));

        Assert.Equal(UnixPipe.StreamCapacity, UnixPipe.Capacity(output.SafePipeHandle));
        Assert.Equal(UnixPipe.StreamCapacity, UnixPipe.Capacity(input.SafePipeHandle));
        // The capacity is real: a whole chunk goes in while nobody reads (64 KiB would block this write forever).
        byte[] chunk = new byte[UnixPipe.StreamCapacity];
        Random.Shared.NextBytes(chunk);
        Task write = Task.Run(() => output.Write(chunk));
        Assert.Same(write, await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(20))));
        await write;
        byte[] back = new byte[chunk.Length];
        input.ReadExactly(back);
        Assert.Equal(chunk, back);
    }

    [Fact]
    public void APipeAlreadyLarger_IsNotShrunk()
    {
        using var output = new AnonymousPipeServerStream(PipeDirection.Out);
        Assert.Equal(UnixPipe.StreamCapacity, UnixPipe.TryGrow(output.SafePipeHandle));

        Assert.Equal(UnixPipe.StreamCapacity, UnixPipe.TryGrow(output.SafePipeHandle, 64 * 1024));
        Assert.Equal(UnixPipe.StreamCapacity, UnixPipe.Capacity(output.SafePipeHandle));
    }

    [Fact]
    public void APipeAnotherProgramSized_IsLeftAsItWasSized()
    {
        using var output = new AnonymousPipeServerStream(PipeDirection.Out);
        Assert.Equal(4096, Vfio.Tests.Support.Posix.SetPipeSize(output.SafePipeHandle, 4096));

        Assert.Equal(4096, UnixPipe.TryGrow(output.SafePipeHandle));
        Assert.Equal(4096, UnixPipe.Capacity(output.SafePipeHandle));
    }

    [Fact]
    public void AFifo_Grows_ARegularFileAndACharacterDevice_AreLeftAlone()
    {
        string fifo = Path.Join(_dir.FullName, "fifo");
        Assert.Equal(0, Vfio.Tests.Support.Posix.MkFifo(fifo));
        // O_RDWR opens a FIFO without waiting for the other end (Linux), so the test cannot hang here.
        using (var end = new FileStream(fifo, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0))
        {
            Assert.Equal(UnixPipe.StreamCapacity, UnixPipe.TryGrow(end.SafeFileHandle));
        }
        string file = Path.Join(_dir.FullName, "file");
        File.WriteAllText(file, "state");
        using (var regular = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.Null(UnixPipe.Capacity(regular.SafeFileHandle));
            Assert.Null(UnixPipe.TryGrow(regular.SafeFileHandle));
        }
        Assert.Equal("state", File.ReadAllText(file));
        using var devNull = new FileStream("/dev/null", FileMode.Open, FileAccess.Write);
        Assert.Null(UnixPipe.TryGrow(devNull.SafeFileHandle));
    }

    [Fact]
    public void ANonPositiveCapacity_IsRefused()
    {
        using var output = new AnonymousPipeServerStream(PipeDirection.Out);
        Assert.Throws<ArgumentOutOfRangeException>(() => UnixPipe.TryGrow(output.SafePipeHandle, 0));
    }
}
