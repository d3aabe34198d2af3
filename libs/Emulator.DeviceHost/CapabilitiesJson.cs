using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Emulator.DeviceHost;

/// <summary>The --print-capabilities document of vhost-user back-ends: <c>{"type": ..., "features": [...]}</c>.</summary>
public static class CapabilitiesJson
{
    public static string Format(DeviceServerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", definition.Type);
            writer.WriteStartArray("features");
            foreach (string feature in definition.Features)
            {
                writer.WriteStringValue(feature);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
