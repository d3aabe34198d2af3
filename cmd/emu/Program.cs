using Emulator.Vmm.Machine;

return EmulatorProgram.Run(args, Console.Out, Console.Error);
