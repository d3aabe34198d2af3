using System.Diagnostics;

namespace Emulator.Platform.Tests;

/// <summary>Runs the real ACPICA disassembler (acpica-tools, from scripts/test-packages.txt) on a table.</summary>
internal static class Iasl
{
    /// <summary>Disassembles <paramref name="table"/>; asserts iasl succeeded and reported no errors; returns the .dsl text.</summary>
    public static string Disassemble(byte[] table, string name)
    {
        string dir = Directory.CreateTempSubdirectory("emu-iasl-").FullName;
        try
        {
            string path = Path.Combine(dir, name + ".dat");
            File.WriteAllBytes(path, table);
            var start = new ProcessStartInfo("iasl", ["-d", path])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = dir,
            };
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("iasl did not start");
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            string output = stdout.Result + stderr;
            Assert.True(process.ExitCode == 0, $"iasl -d failed ({process.ExitCode}): {output}");
            Assert.DoesNotContain("Error", output, StringComparison.Ordinal);
            return File.ReadAllText(Path.Combine(dir, name + ".dsl"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
