using Vfio.Ctl.Cli;

namespace Vfio.Tests.Vfioctl.Support;

/// <summary>One vfioctl run in this process: the real root command and error handling, with captured streams.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Err, byte[] Stdout);

internal static class Cli
{
    public static async Task<CliResult> RunAsync(string[] args, byte[]? stdin = null, bool inputIsTerminal = false, bool outputIsTerminal = false)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var binaryOut = new MemoryStream();
        using var app = new CliApplication(output, error, () => new MemoryStream(stdin ?? []), () => new NonClosing(binaryOut), errorIsTerminal: false, outputIsTerminal: outputIsTerminal, inputIsTerminal: inputIsTerminal);
        int code = await app.RunAsync(RootCommandDefinition.Create(app, args), args);
        return new CliResult(code, output.ToString(), error.ToString(), binaryOut.ToArray());
    }

    /// <summary>The command's disposal of "stdout" must not lose what the test reads afterwards.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
