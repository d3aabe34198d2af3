using Emulator.Memory;

namespace Emulator.Cpu;

/// <summary>
/// Linear-address memory for the interpreter: TLB, then a page walk on a miss, then guest RAM.
/// An access that crosses pages is translated page by page before any byte moves, so a fault on
/// a later page leaves memory untouched (and CR2 names the first byte of the faulting page).
/// Physical addresses outside guest RAM read as all ones and ignore writes (an open bus); MMIO
/// dispatch hooks in on the TLB's slow path later.
/// The paging context is read from the vCPU on every access; a change of paging mode, PSE, PGE or
/// NXE flushes the TLB and a new CR3 drops non-global entries, so a caller that forgets cannot see
/// stale translations across such changes. MOV CR3 of the same value and INVLPG still need explicit
/// <see cref="Tlb"/> calls, as on hardware.
/// </summary>
public sealed class PagedMemory : ICpuMemory
{
    private readonly GuestMemory _memory;
    private readonly Vcpu _vcpu;
    private PagingContext _last;

    public PagedMemory(GuestMemory memory, Vcpu vcpu, PageWalker? walker = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(vcpu);
        _memory = memory;
        _vcpu = vcpu;
        Walker = walker ?? new PageWalker(memory);
        _last = PagingContext.FromState(in vcpu.State);
    }

    public Tlb Tlb { get; } = new();

    public PageWalker Walker { get; }

    public bool TryRead(ulong linear, Span<byte> destination, MemoryAccess access, out CpuFault fault) =>
        Read(linear, destination, access, false, out fault);

    public bool TryWrite(ulong linear, ReadOnlySpan<byte> source, MemoryAccess access, out CpuFault fault) =>
        Write(linear, source, access, false, out fault);

    /// <summary>An implicit supervisor-mode read (GDT, LDT, IDT, TSS): supervisor rights whatever the CPL.</summary>
    public bool TryReadSystem(ulong linear, Span<byte> destination, out CpuFault fault) =>
        Read(linear, destination, MemoryAccess.Read, true, out fault);

    /// <summary>An implicit supervisor-mode write (descriptor busy/accessed bits, TSS fields).</summary>
    public bool TryWriteSystem(ulong linear, ReadOnlySpan<byte> source, out CpuFault fault) =>
        Write(linear, source, MemoryAccess.Write, true, out fault);

    /// <summary>Translates one address (no access is made); for debuggers and for callers that move the bytes themselves.</summary>
    public bool TryTranslate(ulong linear, MemoryAccess access, out ulong physical, out CpuFault fault, bool implicitSupervisor = false)
    {
        PagingContext context = CurrentContext();
        return Translate(Wrap(linear, context), access, implicitSupervisor, context, out physical, out fault);
    }

    private bool Read(ulong linear, Span<byte> destination, MemoryAccess access, bool implicitSupervisor, out CpuFault fault)
    {
        PagingContext context = CurrentContext();
        if (!CheckPages(linear, destination.Length, access, implicitSupervisor, context, out fault))
        {
            return false;
        }

        int done = 0;
        while (done < destination.Length)
        {
            ulong at = Wrap(linear + (ulong)done, context);
            int chunk = Chunk(at, destination.Length - done);
            if (!Translate(at, access, implicitSupervisor, context, out ulong physical, out fault))
            {
                return false;
            }

            Span<byte> part = destination.Slice(done, chunk);
            if (!_memory.TryRead(physical, part))
            {
                part.Fill(0xFF);
            }

            done += chunk;
        }

        return true;
    }

    private bool Write(ulong linear, ReadOnlySpan<byte> source, MemoryAccess access, bool implicitSupervisor, out CpuFault fault)
    {
        PagingContext context = CurrentContext();
        if (!CheckPages(linear, source.Length, access, implicitSupervisor, context, out fault))
        {
            return false;
        }

        int done = 0;
        while (done < source.Length)
        {
            ulong at = Wrap(linear + (ulong)done, context);
            int chunk = Chunk(at, source.Length - done);
            if (!Translate(at, access, implicitSupervisor, context, out ulong physical, out fault))
            {
                return false;
            }

            // Outside guest RAM nothing answers: the write is dropped, as on an open bus.
            _ = _memory.TryWrite(physical, source.Slice(done, chunk));
            done += chunk;
        }

        return true;
    }

    /// <summary>Translates every page the access touches, in address order, before any byte moves.</summary>
    private bool CheckPages(ulong linear, int length, MemoryAccess access, bool implicitSupervisor, in PagingContext context, out CpuFault fault)
    {
        fault = default;
        int done = 0;
        while (done < length)
        {
            ulong at = Wrap(linear + (ulong)done, context);
            if (!Translate(at, access, implicitSupervisor, context, out _, out fault))
            {
                return false;
            }

            done += Chunk(at, length - done);
        }

        return true;
    }

    private bool Translate(ulong linear, MemoryAccess access, bool implicitSupervisor, in PagingContext context, out ulong physical, out CpuFault fault)
    {
        fault = default;
        if (Tlb.Lookup(linear, access, context, out physical, implicitSupervisor) != TlbLookup.Miss)
        {
            return true;
        }

        PageTranslation t = Walker.Translate(linear, access, context, implicitSupervisor);
        if (!t.IsOk)
        {
            fault = t.ToFault();
            return false;
        }

        Tlb.Insert(linear, t);
        physical = t.PhysicalAddress;
        return true;
    }

    private PagingContext CurrentContext()
    {
        PagingContext now = PagingContext.FromState(in _vcpu.State);
        if (now.Mode != _last.Mode || now.PageSizeExtensions != _last.PageSizeExtensions
            || now.GlobalPages != _last.GlobalPages || now.NoExecuteEnabled != _last.NoExecuteEnabled)
        {
            Tlb.FlushAll();
        }
        else if (now.Cr3 != _last.Cr3)
        {
            Tlb.FlushNonGlobal();
        }

        _last = now;
        return now;
    }

    private static ulong Wrap(ulong linear, in PagingContext context) =>
        context.Mode == PagingMode.FourLevel ? linear : linear & uint.MaxValue;

    private static int Chunk(ulong linear, int remaining) => (int)Math.Min((ulong)remaining, 4096 - (linear & 0xFFF));
}
