using Emulator.Memory;

namespace Emulator.Cpu;

/// <summary>
/// Linear-address memory for the interpreter: TLB, then a page walk on a miss, then guest RAM or
/// the MMIO bus. An access that crosses pages is translated page by page before any byte moves, so
/// a fault on a later page leaves memory untouched (and CR2 names the first byte of the faulting page).
/// Physical addresses outside guest RAM go to the <see cref="IMmioBus"/> one page piece at a time;
/// unclaimed (or with no bus) they read as all ones and ignore writes, as QEMU's unassigned memory.
/// TLB entries of MMIO pages and of pages holding decoded code carry the slow-path flag; writes on
/// the slow path to a code page are reported to <see cref="CodePages"/> (self-modifying code).
/// The paging context is read from the vCPU on every access; a change of paging mode, PSE, PGE or
/// NXE flushes the TLB and a new CR3 drops non-global entries, so a caller that forgets cannot see
/// stale translations across such changes. MOV CR3 of the same value and INVLPG still need explicit
/// <see cref="Tlb"/> calls, as on hardware.
/// </summary>
public sealed class PagedMemory : ICpuMemory, ICodeMemory
{
    private const int PageSize = 4096;

    private readonly GuestMemory _memory;
    private readonly Vcpu _vcpu;
    private readonly IMmioBus? _mmio;
    private PagingContext _last;
    private ulong _lastCr0;
    private ulong _lastCr4;
    private ulong _lastEfer;
    private ulong _lastAc;

    // The RAM region of the last scalar access: guests touch one or two regions, so this skips the region search.
    private GuestRegion? _hotRegion;

    // Changes with every rebuilt paging context: the TLB's cached per-entry rights verdicts hold only within one.
    private long _contextGeneration = 1;

    public PagedMemory(GuestMemory memory, Vcpu vcpu, PageWalker? walker = null, IMmioBus? mmio = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(vcpu);
        _memory = memory;
        _vcpu = vcpu;
        _mmio = mmio;
        Walker = walker ?? new PageWalker(memory);
        _last = PagingContext.FromState(in vcpu.State);
        Remember(in vcpu.State);
        ulong end = 0;
        foreach (GuestRegion region in memory.Regions)
        {
            end = Math.Max(end, region.End);
        }

        CodePages = new CodePageTracker(end);
        CodePages.CodePageChanged += OnCodePageChanged;
    }

    public Tlb Tlb { get; } = new();

    public PageWalker Walker { get; }

    public CodePageTracker CodePages { get; }

    public long TranslationEpoch => Tlb.Epoch;

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
        ref readonly PagingContext context = ref CurrentContext();
        return Translate(Wrap(linear, context), access, implicitSupervisor, context, out physical, out _, out fault);
    }

    public bool TryTranslateFetch(ulong linear, out ulong physical, out CpuFault fault) =>
        TryTranslate(linear, MemoryAccess.Execute, out physical, out fault);

    public int CopyRam(ulong physical, Span<byte> destination)
    {
        int length = (int)Math.Min((ulong)destination.Length, PageSize - (physical & 0xFFF));
        if (!_memory.TryGetSpan(physical, length, out Span<byte> span))
        {
            return 0;
        }

        span.CopyTo(destination);
        return length;
    }

    /// <summary>A 1/2/4/8-byte access inside one page of RAM on a TLB hit, without staging buffers; else false with no fault (take the general path).</summary>
    internal bool TryReadScalarFast(ulong linear, int size, MemoryAccess access, out ulong value)
    {
        ref readonly PagingContext context = ref CurrentContext();
        ulong at = Wrap(linear, context);
        if ((at & 0xFFF) + (ulong)size <= PageSize
            && Tlb.LookupData(at, access, context, _contextGeneration, out ulong physical) == TlbLookup.Hit
            && TryGetRam(physical, size, out Span<byte> span))
        {
            value = Scalar.Read(span, size);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>The write counterpart of <see cref="TryReadScalarFast"/>: code pages and MMIO are slow-path entries, so never taken here.</summary>
    internal bool TryWriteScalarFast(ulong linear, int size, ulong value)
    {
        ref readonly PagingContext context = ref CurrentContext();
        ulong at = Wrap(linear, context);
        if ((at & 0xFFF) + (ulong)size <= PageSize
            && Tlb.LookupData(at, MemoryAccess.Write, context, _contextGeneration, out ulong physical) == TlbLookup.Hit
            && TryGetRam(physical, size, out Span<byte> span))
        {
            Scalar.Write(span, size, value);
            return true;
        }

        return false;
    }

    /// <summary>GuestMemory.TryGetSpan through the last region hit.</summary>
    private bool TryGetRam(ulong physical, int size, out Span<byte> span)
    {
        GuestRegion? region = _hotRegion;
        if (region is null || !region.Contains(physical, (ulong)size))
        {
            region = _memory.FindRegion(physical);
            if (region is null || !region.Contains(physical, (ulong)size))
            {
                span = default;
                return false;
            }

            _hotRegion = region;
        }

        span = region.GetSpan(physical, size);
        return true;
    }

    private bool Read(ulong linear, Span<byte> destination, MemoryAccess access, bool implicitSupervisor, out CpuFault fault)
    {
        ref readonly PagingContext context = ref CurrentContext();
        ulong first = Wrap(linear, context);
        if (Chunk(first, destination.Length) == destination.Length)
        {
            // One page: one translation (the common case).
            if (!Translate(first, access, implicitSupervisor, context, out ulong physical, out bool slow, out fault))
            {
                return false;
            }

            if (slow || !_memory.TryGetSpan(physical, destination.Length, out Span<byte> span))
            {
                ReadPhysical(physical, destination);
            }
            else
            {
                span.CopyTo(destination);
            }

            return true;
        }

        if (!CheckPages(linear, destination.Length, access, implicitSupervisor, context, out fault))
        {
            return false;
        }

        int done = 0;
        while (done < destination.Length)
        {
            ulong at = Wrap(linear + (ulong)done, context);
            int chunk = Chunk(at, destination.Length - done);
            if (!Translate(at, access, implicitSupervisor, context, out ulong physical, out _, out fault))
            {
                return false;
            }

            ReadPhysical(physical, destination.Slice(done, chunk));
            done += chunk;
        }

        return true;
    }

    private bool Write(ulong linear, ReadOnlySpan<byte> source, MemoryAccess access, bool implicitSupervisor, out CpuFault fault)
    {
        ref readonly PagingContext context = ref CurrentContext();
        ulong first = Wrap(linear, context);
        if (Chunk(first, source.Length) == source.Length)
        {
            if (!Translate(first, access, implicitSupervisor, context, out ulong physical, out bool slow, out fault))
            {
                return false;
            }

            if (!slow && _memory.TryGetSpan(physical, source.Length, out Span<byte> span))
            {
                source.CopyTo(span);
            }
            else
            {
                WritePhysical(physical, source);
            }

            return true;
        }

        if (!CheckPages(linear, source.Length, access, implicitSupervisor, context, out fault))
        {
            return false;
        }

        int done = 0;
        while (done < source.Length)
        {
            ulong at = Wrap(linear + (ulong)done, context);
            int chunk = Chunk(at, source.Length - done);
            if (!Translate(at, access, implicitSupervisor, context, out ulong physical, out _, out fault))
            {
                return false;
            }

            WritePhysical(physical, source.Slice(done, chunk));
            done += chunk;
        }

        return true;
    }

    /// <summary>One piece inside one page: RAM, else the MMIO bus, else all ones.</summary>
    private void ReadPhysical(ulong physical, Span<byte> destination)
    {
        if (_memory.TryGetSpan(physical, destination.Length, out Span<byte> span))
        {
            span.CopyTo(destination);
            return;
        }

        if (_mmio is null || !_mmio.TryRead(physical, destination))
        {
            destination.Fill(0xFF);
        }
    }

    /// <summary>One piece inside one page: RAM (reporting writes to code), else the MMIO bus, else dropped.</summary>
    private void WritePhysical(ulong physical, ReadOnlySpan<byte> source)
    {
        if (_memory.TryGetSpan(physical, source.Length, out Span<byte> span))
        {
            source.CopyTo(span);
        }
        else
        {
            _ = _mmio?.TryWrite(physical, source);
        }

        CodePages.NotifyWrite(physical, (ulong)source.Length);
    }

    /// <summary>Translates every page the access touches, in address order, before any byte moves.</summary>
    private bool CheckPages(ulong linear, int length, MemoryAccess access, bool implicitSupervisor, in PagingContext context, out CpuFault fault)
    {
        fault = default;
        int done = 0;
        while (done < length)
        {
            ulong at = Wrap(linear + (ulong)done, context);
            if (!Translate(at, access, implicitSupervisor, context, out _, out _, out fault))
            {
                return false;
            }

            done += Chunk(at, length - done);
        }

        return true;
    }

    private bool Translate(ulong linear, MemoryAccess access, bool implicitSupervisor, in PagingContext context, out ulong physical, out bool slowPath, out CpuFault fault)
    {
        fault = default;
        TlbLookup hit = Tlb.Lookup(linear, access, context, out physical, implicitSupervisor);
        if (hit != TlbLookup.Miss)
        {
            slowPath = hit == TlbLookup.SlowPath;
            return true;
        }

        PageTranslation t = Walker.Translate(linear, access, context, implicitSupervisor);
        if (!t.IsOk)
        {
            fault = t.ToFault();
            slowPath = false;
            return false;
        }

        physical = t.PhysicalAddress;
        slowPath = NeedsSlowPath(physical);
        Tlb.Insert(linear, t, slowPath);
        return true;
    }

    /// <summary>MMIO (not a whole RAM page) and pages with decoded code are not accessed directly.</summary>
    private bool NeedsSlowPath(ulong physical) =>
        CodePages.IsCode(physical) || !_memory.TryGetSpan(physical & ~0xFFFUL, PageSize, out _);

    private void OnCodePageChanged(ulong physicalPage, bool isCode) =>
        Tlb.SetSlowPathForPhysical(physicalPage, isCode || NeedsSlowPath(physicalPage));

    /// <summary>The paging context now; rebuilt (and the TLB flushed as needed) only when a register it comes from changed.</summary>
    private ref readonly PagingContext CurrentContext()
    {
        ref CpuState s = ref _vcpu.State;
        if (s.Cr0 == _lastCr0 && s.Cr3 == _last.Cr3 && s.Cr4 == _lastCr4 && s.Efer == _lastEfer
            && s.Cpl == _last.Cpl && (s.Rflags & RflagsBits.AC) == _lastAc)
        {
            return ref _last;
        }

        Remember(in s);
        _contextGeneration++;
        PagingContext now = PagingContext.FromState(in s);
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
        return ref _last;
    }

    private void Remember(in CpuState s)
    {
        _lastCr0 = s.Cr0;
        _lastCr4 = s.Cr4;
        _lastEfer = s.Efer;
        _lastAc = s.Rflags & RflagsBits.AC;
    }

    private static ulong Wrap(ulong linear, in PagingContext context) =>
        context.Mode == PagingMode.FourLevel ? linear : linear & uint.MaxValue;

    private static int Chunk(ulong linear, int remaining) => (int)Math.Min((ulong)remaining, PageSize - (linear & 0xFFF));
}
