using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.EndToEnd.Guests;

/// <summary>
/// Text output over the debug console (port E9h) for test kernels: the routines (puts, hex) in
/// 32- and 64-bit flavours, each preserving every register and the flags, and the macros that
/// call them. Everything is upper-case fixed-width hex, so dumps compare byte for byte.
/// </summary>
internal static class KernelPrint
{
    public const byte DebugconPort = 0xE9;

    private const string Digits = "0123456789ABCDEF";

    /// <summary>Emits <c>puts32</c> (ESI = string) and <c>hex32</c> (EAX, 8 digits) here.</summary>
    public static void EmitRoutines32(KernelBuilder k)
    {
        Assembler a = k.A;
        k.Here("puts32");
        a.pushfd();
        a.push(eax);
        a.push(esi);
        k.Here("puts32_loop");
        a.mov(al, __byte_ptr[esi]);
        a.test(al, al);
        a.jz(k.L("puts32_done"));
        a.@out(DebugconPort, al);
        a.inc(esi);
        a.jmp(k.L("puts32_loop"));
        k.Here("puts32_done");
        a.pop(esi);
        a.pop(eax);
        a.popfd();
        a.ret();

        k.Here("hex32");
        a.pushfd();
        a.pushad();
        a.mov(edx, eax);
        a.mov(ecx, 8);
        k.Here("hex32_loop");
        a.rol(edx, 4);
        a.mov(eax, edx);
        a.and(eax, 0xF);
        a.mov(al, __byte_ptr[eax + (int)k.Str(Digits)]);
        a.@out(DebugconPort, al);
        a.dec(ecx);
        a.jnz(k.L("hex32_loop"));
        a.popad();
        a.popfd();
        a.ret();
    }

    /// <summary>Emits <c>puts64</c> (RSI = string) and <c>hex64</c> (RAX, 16 digits) here.</summary>
    public static void EmitRoutines64(KernelBuilder k)
    {
        Assembler a = k.A;
        k.Here("puts64");
        a.pushfq();
        a.push(rax);
        a.push(rsi);
        k.Here("puts64_loop");
        a.mov(al, __byte_ptr[rsi]);
        a.test(al, al);
        a.jz(k.L("puts64_done"));
        a.@out(DebugconPort, al);
        a.inc(rsi);
        a.jmp(k.L("puts64_loop"));
        k.Here("puts64_done");
        a.pop(rsi);
        a.pop(rax);
        a.popfq();
        a.ret();

        k.Here("hex64");
        a.pushfq();
        a.push(rax);
        a.push(rcx);
        a.push(rdx);
        a.push(rbx);
        a.mov(rdx, rax);
        a.mov(ecx, 16);
        a.mov(ebx, k.Str(Digits)); // zero-extended: the table may be above 2 GiB (firmware)
        k.Here("hex64_loop");
        a.rol(rdx, 4);
        a.mov(eax, edx);
        a.and(eax, 0xF);
        a.mov(al, __byte_ptr[rbx + rax]);
        a.@out(DebugconPort, al);
        a.dec(ecx);
        a.jnz(k.L("hex64_loop"));
        a.pop(rbx);
        a.pop(rdx);
        a.pop(rcx);
        a.pop(rax);
        a.popfq();
        a.ret();
    }

    /// <summary>Prints <paramref name="text"/> (32-bit code; registers and flags kept).</summary>
    public static void Print32(KernelBuilder k, string text)
    {
        k.A.push(esi);
        k.A.mov(esi, k.Str(text));
        k.A.call(k.Addr("puts32"));
        k.A.pop(esi);
    }

    /// <summary>Prints " name=" and the 8 hex digits of what <paramref name="loadEax"/> puts in EAX (registers kept).</summary>
    public static void Field32(KernelBuilder k, string name, Action<Assembler> loadEax)
    {
        k.A.push(eax);
        loadEax(k.A);
        Print32(k, " " + name + "=");
        k.A.call(k.Addr("hex32"));
        k.A.pop(eax);
    }

    public static void Print64(KernelBuilder k, string text)
    {
        k.A.push(rsi);
        k.A.mov(esi, k.Str(text));
        k.A.call(k.Addr("puts64"));
        k.A.pop(rsi);
    }

    /// <summary>Prints " name=" and the 16 hex digits of what <paramref name="loadRax"/> puts in RAX (registers kept).</summary>
    public static void Field64(KernelBuilder k, string name, Action<Assembler> loadRax)
    {
        k.A.push(rax);
        loadRax(k.A);
        Print64(k, " " + name + "=");
        k.A.call(k.Addr("hex64"));
        k.A.pop(rax);
    }
}
