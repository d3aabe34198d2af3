using Emulator.Block;
using Emulator.DeviceHost;
using Microsoft.Extensions.DependencyInjection;

namespace Emulator.VirtioBlock;

/// <summary>
/// emu-block's main: parse the command line, open the image before anything is served (so a missing,
/// locked or corrupt image is a prompt exit 1, never a half-started server), then host the device.
/// </summary>
public static class BlockServerProgram
{
    public static int Run(string[] args)
    {
        DeviceServerDefinition definition = BlockServerSettings.Definition;
        using var stderr = new StreamWriter(DescriptorStream.StandardError()) { AutoFlush = true };
        string program = definition.ProgramName;
        IBlockImage? image = null;
        BlockServerSettings? settings = null;
        try
        {
            DeviceServerArguments parsed = DeviceServerArgumentParser.Parse(definition, args);
            if (!parsed.Help && !parsed.PrintCapabilities)
            {
                settings = BlockServerSettings.Parse(parsed);
                image = BlockImage.Open(new BlockImageOptions
                {
                    Path = settings.BlockFile,
                    Format = settings.Format,
                    ReadOnly = settings.Device.ReadOnly,
                    DirectIo = settings.DirectIo,
                    DiscardUnmap = settings.Device.DiscardUnmap,
                    RepairLeaks = settings.RepairLeaks,
                    Warn = message => stderr.WriteLine($"{program}: warning: {message}"),
                });
            }
        }
        catch (DeviceServerUsageException)
        {
            // The host parses again and reports it with the usage hint.
        }
        catch (BlockImageException e)
        {
            stderr.WriteLine($"{program}: {e.Message}");
            return DeviceServerExitCode.Failure;
        }

        // The handler owns the image from here (it closes it when the host disposes it). Should the host
        // stop before building the handler, process exit closes the file; nothing is cached in this process.
        return DeviceServerHost.Run(definition, args, (parsed, services) =>
        {
            // A bad server option was set aside above; parsing again throws it for the host to report.
            BlockServerSettings checkedSettings = settings ?? BlockServerSettings.Parse(parsed);
            IBlockImage opened = image ?? throw new DeviceServerUsageException("no image was opened");
            services.AddSingleton(opened);
            services.AddSingleton(checkedSettings.Device);
            services.AddSingleton<IConnectionHandler, BlockConnectionHandler>();
        });
    }
}
