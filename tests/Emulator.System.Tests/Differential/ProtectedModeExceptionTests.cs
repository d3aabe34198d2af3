using Emulator.System.Tests.EndToEnd;
using Emulator.System.Tests.EndToEnd.Guests;
using Iced.Intel;
using static Emulator.System.Tests.EndToEnd.Guests.KernelLayout;
using static Emulator.System.Tests.EndToEnd.Guests.TestKernel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.Differential;

/// <summary>Exceptions in 32-bit protected mode at ring 0: vector, error code and frame as QEMU has them.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ProtectedModeExceptionTests
{
    private const byte Done = 0x21;

    [Fact(Timeout = Patience.TestMs)]
    public async Task FaultsAndTrapsMatchQemu()
    {
        await Task.Yield();
        byte[] kernel = Build(k =>
        {
            Assembler a = k.A;
            a.call(k.Addr("dump32"));

            Fault(k, "de", () =>
            {
                a.mov(eax, 1);
                a.xor(edx, edx);
                a.xor(ecx, ecx);
                a.div(ecx);
            });
            Fault(k, "ud", a.ud2);
            a.int3();
            a.mov(eax, 0x7FFF_FFFF);
            a.add(eax, 1);
            a.into();
            Fault(k, "br", () =>
            {
                a.mov(eax, 10);
                a.mov(__dword_ptr[(uint)Scratch + 0x40], 0);
                a.mov(__dword_ptr[(uint)Scratch + 0x44], 5);
                a.bound(eax, __qword_ptr[(uint)Scratch + 0x40]);
            });
            Fault(k, "gp_limit", () => LoadDs(a, 0x1234));
            Fault(k, "gp_system", () => LoadDs(a, Tss32Selector));
            Fault(k, "gp_gate", () => LoadDs(a, CallGate32));
            Fault(k, "gp_ss_dpl", () =>
            {
                a.mov(ax, (ushort)(DataRing3 | 3));
                a.mov(ss, ax);
            });
            Fault(k, "np", () => LoadDs(a, NotPresentData));
            Fault(k, "ss", () =>
            {
                a.mov(ax, (ushort)NotPresentData);
                a.mov(ss, ax);
            });
            a.mov(esi, 0x1234_5678);
            a.@int(0x80);

            // #GP whose gate is not present: the #NP while delivering it makes a #DF.
            a.and(__byte_ptr[(uint)Idt32 + (13 * 8) + 5], 0x7F);
            Fault(k, "df", () => LoadDs(a, 0x1234));
            a.or(__byte_ptr[(uint)Idt32 + (13 * 8) + 5], 0x80);
            a.mov(ax, (ushort)Data32Ring0);
            a.mov(ds, ax);
            a.mov(ss, ax);
            a.call(k.Addr("dump32"));
            Exit(k, Done);
        });
        KernelDifferential.AssertSameAsQemu(kernel, (Done << 1) | 1);
    }

    private static void LoadDs(Assembler a, int selector)
    {
        a.mov(ax, (ushort)selector);
        a.mov(ds, ax);
    }

    /// <summary>Runs <paramref name="body"/>, which must fault, and resumes after it.</summary>
    internal static void Fault(KernelBuilder k, string name, Action body)
    {
        string after = k.Unique("after_" + name);
        Recover32(k, after);
        body();
        k.Here(after);
    }
}
