using Emulator.DeviceHost;
using Emulator.Vmm.Machine;

// Not System.Console: its first use on a terminal emits keypad-mode escapes into the user's tty.
using var stdout = new StreamWriter(DescriptorStream.StandardOutput()) { AutoFlush = true };
using var stderr = new StreamWriter(DescriptorStream.StandardError()) { AutoFlush = true };
return EmulatorProgram.Run(args, stdout, stderr, DescriptorStream.StandardOutput);
