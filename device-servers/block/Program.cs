using Emulator.VirtioBlock;

// emu-block: serves one disk image to the CPU process (or QEMU) as a vhost-user virtio-blk device.
return BlockServerProgram.Run(args);
