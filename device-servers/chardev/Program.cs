using Emulator.Chardev;
using Emulator.DeviceHost;
using Emulator.Options;
using Microsoft.Extensions.DependencyInjection;

// emu-chardev: serves one chardev backend to the CPU process (byte streams and virtio-console).
var definition = new DeviceServerDefinition(
    "emu-chardev",
    "chardev",
    features: ["byte-streams", "virtio-console", "mux"],
    options:
    [
        new ServerOption("chardev", "STR", "the chardev to serve, in QEMU's -chardev syntax", Required: true),
        new ServerOption("frontends", "N", "front-ends (byte streams) sharing it, 1..4; more than one needs mux=on"),
    ],
    description: "Character device server: stdio, file, socket, pty or null, with QEMU's mux.");

return DeviceServerHost.Run(definition, args, (parsed, services) =>
{
    ChardevServerSettings settings;
    try
    {
        settings = ChardevServerSettings.Parse(parsed.GetRequired("chardev"), parsed.Get("frontends"));
    }
    catch (OptionsException e)
    {
        throw new DeviceServerUsageException(e.Message);
    }

    services.AddSingleton(settings);
    services.AddSingleton<IConnectionHandler, ChardevConnectionHandler>();
});
