namespace Emulator.Block;

/// <summary>A bad emu-img command line (exit code 1 with the message).</summary>
internal sealed class EmuImgUsageException(string message) : Exception(message);
