using System.Text;
using System.Text.Json;

namespace Vfioctl.Output;

/// <summary>Indented JSON written by hand with <see cref="Utf8JsonWriter"/>: no reflection, stable key order.</summary>
internal static class JsonText
{
    private static readonly JsonWriterOptions Options = new() { Indented = true };

    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            write(json);
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>Re-indents a compact document (the models' documents serialize compactly).</summary>
    public static void WriteDocument(TextWriter output, string json) => Write(output, writer =>
    {
        using JsonDocument document = JsonDocument.Parse(json);
        document.WriteTo(writer);
    });
}
