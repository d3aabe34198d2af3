using Emulator.Block;

// emu-img: qemu-img's create/info/check/convert for raw and qcow2; the logic lives in Emulator.Block.
return EmuImg.Run(args, Console.Out, Console.Error);
