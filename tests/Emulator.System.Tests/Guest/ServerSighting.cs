namespace Emulator.System.Tests.Guest;

/// <summary>A chardev server process seen as emu's child: its pid, /proc comm, arguments, and whether it had the console file open.</summary>
public sealed record ServerSighting(int Pid, string Comm, IReadOnlyList<string> CommandLine, bool HadConsoleOpen);
