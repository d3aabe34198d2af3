namespace Emulator.Platform;

/// <summary>
/// The multiboot header's address fields (flag bit 16): the file from <c>header offset - (header_addr
/// - load_addr)</c> is loaded at load_addr up to load_end_addr (0: to the end of the file), zeroed up
/// to bss_end_addr (0: no bss), entered at entry_addr. Each relation is checked; pure.
/// </summary>
public static class AoutKludge
{
    public static KernelImagePlan Plan(MultibootHeader header, int fileLength, ulong ramLimit)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.HeaderAddress < header.LoadAddress || header.HeaderAddress - header.LoadAddress > (uint)header.Offset)
        {
            throw new BootImageException(
                $"multiboot header_addr 0x{header.HeaderAddress:x} and load_addr 0x{header.LoadAddress:x} put the load start outside the file");
        }

        ulong fileOffset = (ulong)header.Offset - (header.HeaderAddress - header.LoadAddress);
        ulong loadSize;
        if (header.LoadEndAddress == 0)
        {
            loadSize = (ulong)fileLength - fileOffset;
        }
        else if (header.LoadEndAddress < header.LoadAddress)
        {
            throw new BootImageException($"multiboot load_end_addr 0x{header.LoadEndAddress:x} is below load_addr 0x{header.LoadAddress:x}");
        }
        else
        {
            loadSize = header.LoadEndAddress - header.LoadAddress;
        }

        if (fileOffset + loadSize > (ulong)fileLength)
        {
            throw new BootImageException($"multiboot load range 0x{header.LoadAddress:x}+0x{loadSize:x} needs more than the {fileLength}-byte file");
        }

        ulong memorySize = loadSize;
        if (header.BssEndAddress != 0)
        {
            if (header.BssEndAddress < header.LoadAddress + loadSize)
            {
                throw new BootImageException($"multiboot bss_end_addr 0x{header.BssEndAddress:x} is below the end of the loaded image");
            }

            memorySize = header.BssEndAddress - header.LoadAddress;
        }

        if (header.LoadAddress + memorySize > ramLimit)
        {
            throw new BootImageException($"multiboot image 0x{header.LoadAddress:x}+0x{memorySize:x} is outside guest RAM (0x{ramLimit:x} bytes below 4 GiB)");
        }

        if (header.EntryAddress >= ramLimit)
        {
            throw new BootImageException($"multiboot entry_addr 0x{header.EntryAddress:x} is outside guest RAM");
        }

        return new KernelImagePlan([new LoadSegment(fileOffset, loadSize, header.LoadAddress, memorySize)], header.EntryAddress);
    }
}
