using System.Text;
using System.Text.Json;

namespace Vfio.Ctl.Output;

/// <summary>Indented JSON written by hand with <see cref="Utf8JsonWriter"/>: no reflection, stable key order.</summary>
internal static class JsonText
{
    private static readonly JsonWriterOptions Options = new() { Indented = true };

    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // For text full of arcs ("STOP -> STOP_COPY"): '<', '>' and '&' as themselves. The output is never embedded in HTML.
    private static readonly JsonWriterOptions Relaxed = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(TextWriter output, Action<Utf8JsonWriter> write, bool relaxedEscaping = false)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, relaxedEscaping ? Relaxed : Options))
        {
            write(json);
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>One compact JSON object on one line: an event of a JSON-lines stream.</summary>
    public static void WriteLine(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Compact))
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
