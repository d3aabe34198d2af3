namespace Emulator.Tests.Shared;

/// <summary>
/// The dotnet host that runs this test process, for starting a framework-dependent child (a device server's
/// or a peer's dll) with the same runtime: the test platform's DOTNET_HOST_PATH, else this process when it
/// is dotnet, else whatever dotnet is on PATH.
/// </summary>
internal static class DotnetHost
{
    public static string Path
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
            {
                return host;
            }

            string? self = Environment.ProcessPath;
            return self is not null && global::System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
    }
}
