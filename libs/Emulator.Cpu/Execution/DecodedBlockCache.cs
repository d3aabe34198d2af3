using System.Diagnostics.CodeAnalysis;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Decoded code by <see cref="BlockKey"/> (physical address, IP, mode), with a physical-page index
/// so a write to a code page drops every block that has bytes on it (<see cref="InvalidatePage"/>).
/// With a <see cref="CodePageTracker"/>, the pages holding blocks are marked as code so the memory
/// reports guest writes to them, and reported writes are applied by <see cref="ApplyPendingWrites"/>.
/// A small direct-mapped table in front of the dictionary makes the per-block lookup cheap.
/// Bounded: past <see cref="MaxBlocks"/> blocks it starts over, so no guest can grow it without
/// limit. Not thread-safe (one per vCPU); other threads report writes through the tracker.
/// </summary>
public sealed class DecodedBlockCache
{
    public const int MaxInstructions = 64;

    public const int MaxBlocks = 1 << 16;

    /// <summary>
    /// AMD decoding, because CPUID says AuthenticAMD (QEMU's qemu64): a 66h near branch in 64-bit mode has a 16-bit
    /// operand size (16-bit displacement, IP truncated to 16 bits, 2-byte return address) as on AMD hardware (QEMU 7.2
    /// agrees except that it keeps the IP's high bits in 64-bit mode and ignores 66h on FF /2, /4); REX.W far CALL/JMP [mem] and LSS/LFS/LGS keep a 32-bit offset (AMD APM vol. 3); UD0 has no
    /// ModRM byte; LOCK MOV CRn decodes as CR8 access, which stays #UD because CPUID 8000_0001h ECX.AltMovCr8 is
    /// not advertised (a LOCK prefix on a register destination is refused before dispatch).
    /// </summary>
    public const DecoderOptions Decoding = DecoderOptions.AMD;

    private const int PageShift = 12;
    private const int RecentSize = 4096;

    private readonly Dictionary<BlockKey, DecodedBlock> _blocks = [];
    private readonly Dictionary<ulong, List<DecodedBlock>> _byPage = [];
    private readonly DecodedBlock?[] _recent = new DecodedBlock?[RecentSize];
    private readonly CodePageTracker? _tracker;
    private readonly List<Instruction> _decoded = new(MaxInstructions);
    private readonly byte[] _codeBuffer = new byte[4096];

    public DecodedBlockCache()
    {
    }

    /// <summary>Blocks whose pages are marked in (and whose writes come from) <paramref name="tracker"/>.</summary>
    public DecodedBlockCache(CodePageTracker? tracker) => _tracker = tracker;

    public int Count => _blocks.Count;

    /// <summary>Changes whenever a block is dropped, so chained successors are re-validated.</summary>
    public long Epoch { get; private set; }

    /// <summary>
    /// The block at <paramref name="linear"/> (decoded now if absent). Fails with the fetch fault only
    /// when the first instruction cannot be fetched; a fault later in the run just ends the block there.
    /// With an <see cref="ICodeMemory"/> the key is the physical address, else the linear one.
    /// Outside 64-bit mode <paramref name="csLimit"/> bounds the code (SDM vol. 3, 5.3: an instruction
    /// beyond or crossing the limit is #GP(0)): a block never extends past it, and a cached block decoded
    /// under a larger limit is decoded again. In 64-bit mode a non-canonical RIP is #GP(0), and so is an
    /// instruction running off the canonical lower half.
    /// </summary>
    public bool TryGet(ICpuMemory memory, ulong linear, ulong ip, int bitness, byte mode, ulong csLimit, [NotNullWhen(true)] out DecodedBlock? block, out CpuFault fault)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ulong allowed = AllowedBytes(ip, bitness, csLimit);
        if (allowed == 0)
        {
            block = null;
            fault = CpuFault.GeneralProtection();
            return false;
        }

        ulong physical = linear;
        if (memory is ICodeMemory code && !code.TryTranslateFetch(linear, out physical, out fault))
        {
            block = null;
            return false;
        }

        var key = new BlockKey(physical, ip, mode);
        int slot = Slot(physical, ip);
        DecodedBlock? recent = _recent[slot];
        if (recent is not null && recent.Key == key && Fits(recent, linear, allowed))
        {
            block = recent;
            fault = default;
            return true;
        }

        if (_blocks.TryGetValue(key, out DecodedBlock? found))
        {
            if (!Fits(found, linear, allowed))
            {
                // Decoded under a larger CS limit: drop it so the new decode (bounded by this limit) takes its key.
                InvalidatePage(found.Key.Address);
                return TryDecode(memory, key, linear, bitness, allowed, out block, out fault);
            }

            _recent[slot] = found;
            block = found;
            fault = default;
            return true;
        }

        return TryDecode(memory, key, linear, bitness, allowed, out block, out fault);
    }

    /// <summary>
    /// Whether <paramref name="block"/>, entered at <paramref name="linear"/> with <paramref name="ip"/>, lies wholly
    /// within <paramref name="csLimit"/> (always in 64-bit mode, where the bound never changes): the interpreter checks
    /// a chained successor with it, since chaining bypasses <see cref="TryGet"/>.
    /// </summary>
    public static bool FitsLimit(DecodedBlock block, ulong linear, ulong ip, int bitness, ulong csLimit)
    {
        ArgumentNullException.ThrowIfNull(block);
        return bitness == 64 || Fits(block, linear, AllowedBytes(ip, bitness, csLimit));
    }

    private static bool Fits(DecodedBlock block, ulong linear, ulong allowed) =>
        ((block.EndAddress - linear) & 0xFFFF_FFFF) <= allowed;

    /// <summary>How many code bytes may be fetched from <paramref name="ip"/> on: up to the CS limit, or the canonical bound.</summary>
    private static ulong AllowedBytes(ulong ip, int bitness, ulong csLimit)
    {
        if (bitness == 64)
        {
            const ulong lowerHalfEnd = 0x0000_8000_0000_0000;
            return !SystemAccess.IsCanonical(ip) ? 0 : ip < lowerHalfEnd ? lowerHalfEnd - ip : ulong.MaxValue;
        }

        return ip > csLimit ? 0 : csLimit - ip + 1;
    }

    /// <summary>Applies every write reported to the tracker since the last call (vCPU thread).</summary>
    public void ApplyPendingWrites()
    {
        if (_tracker is null)
        {
            return;
        }

        while (_tracker.TryTakeWrite(out ulong address, out ulong length))
        {
            InvalidateRange(address, length);
        }
    }

    /// <summary>Drops every block with code on the physical pages [address, address+length) touches.</summary>
    public void InvalidateRange(ulong address, ulong length)
    {
        if (length == 0)
        {
            return;
        }

        ulong first = address >> PageShift;
        ulong last = (address + (length - 1)) >> PageShift;
        if (last < first)
        {
            last = ulong.MaxValue >> PageShift;
        }

        if (last - first >= (ulong)_byPage.Count)
        {
            // A huge range (a DMA, a whole dirty log): walk the code pages rather than the range.
            foreach (ulong page in _byPage.Keys.Where(p => p >= first && p <= last).ToList())
            {
                InvalidatePage(page << PageShift);
            }

            return;
        }

        for (ulong page = first; ; page++)
        {
            InvalidatePage(page << PageShift);
            if (page == last)
            {
                break;
            }
        }
    }

    /// <summary>Drops every block with code on the 4 KiB page that holds <paramref name="physicalAddress"/>.</summary>
    public void InvalidatePage(ulong physicalAddress)
    {
        if (!_byPage.Remove(physicalAddress >> PageShift, out List<DecodedBlock>? blocks))
        {
            return;
        }

        _tracker?.UnmarkCode(physicalAddress);
        Epoch++;
        foreach (DecodedBlock block in blocks)
        {
            _blocks.Remove(block.Key);
            foreach (ulong other in block.PhysicalPages)
            {
                if (other >> PageShift != physicalAddress >> PageShift && _byPage.TryGetValue(other >> PageShift, out List<DecodedBlock>? list))
                {
                    list.Remove(block);
                }
            }

            int slot = Slot(block.Key.Address, block.Key.Ip);
            if (ReferenceEquals(_recent[slot], block))
            {
                _recent[slot] = null;
            }
        }
    }

    public void InvalidateAll()
    {
        if (_tracker is not null)
        {
            foreach (ulong page in _byPage.Keys)
            {
                _tracker.UnmarkCode(page << PageShift);
            }
        }

        Epoch++;
        _blocks.Clear();
        _byPage.Clear();
        Array.Clear(_recent);
    }

    private static bool IsControlRegisterMove(Code code) =>
        code is Code.Mov_r32_cr or Code.Mov_r64_cr or Code.Mov_cr_r32 or Code.Mov_cr_r64;

    private bool TryDecode(ICpuMemory memory, BlockKey key, ulong linear, int bitness, ulong allowed, [NotNullWhen(true)] out DecodedBlock? block, out CpuFault fault)
    {
        ulong linearMask = bitness == 64 ? ulong.MaxValue : uint.MaxValue;
        var reader = new GuestCodeReader(memory, linear, linearMask, _codeBuffer, allowed);
        var decoder = Decoder.Create(bitness, reader, key.Ip, Decoding);
        List<Instruction> instructions = _decoded;
        instructions.Clear();
        ulong end = linear;
        while (instructions.Count < MaxInstructions)
        {
            reader.BeginInstruction();
            decoder.Decode(out Instruction instruction);
            if (reader.ReadLockByte && IsControlRegisterMove(instruction.Code))
            {
                // LOCK MOV CRn is AMD's AltMovCr8, which CPUID 8000_0001h ECX bit 4 does not advertise: #UD.
                instruction.Code = Code.INVALID;
            }

            if (decoder.LastError == DecoderError.NoMoreBytes || reader.Faulted)
            {
                if (instructions.Count == 0)
                {
                    block = null;
                    fault = reader.Fault;
                    return false;
                }

                break;
            }

            instructions.Add(instruction);
            end = reader.Position;
            if (instruction.IsInvalid || EndsBlock(instruction))
            {
                break;
            }
        }

        if (_blocks.Count >= MaxBlocks)
        {
            InvalidateAll();
        }

        block = new DecodedBlock(key, [.. instructions], end, [.. reader.Pages]);
        _blocks.Add(key, block);
        _recent[Slot(key.Address, key.Ip)] = block;
        foreach (ulong page in reader.Pages)
        {
            if (!_byPage.TryGetValue(page >> PageShift, out List<DecodedBlock>? list))
            {
                list = [];
                _byPage.Add(page >> PageShift, list);
            }

            list.Add(block);
            _tracker?.MarkCode(page);
        }

        fault = default;
        return true;
    }

    private static int Slot(ulong physical, ulong ip) => (int)((physical ^ (ip >> 3) ^ (physical >> 12)) & (RecentSize - 1));

    private static bool EndsBlock(in Instruction instruction) =>
        instruction.FlowControl != FlowControl.Next || instruction.Mnemonic == Mnemonic.Hlt || instruction.Code is Code.Mov_dr_r32 or Code.Mov_dr_r64;
}
