using Iced.Intel;
using static Emulator.Cpu.Tests.X87.X87Snippet;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.X87;

/// <summary>The forms compared bit for bit with the host (the transcendentals are not: see X87TranscendentalTests).</summary>
public static class X87Forms
{
    public static readonly X87Form[] All =
    [
        new("fld st2", a => a.fld(st2), 3),
        new("fld m32", a => a.fld(Dword), 0, X87OperandKind.Single),
        new("fld m64", a => a.fld(Qword), 0, X87OperandKind.Double),
        new("fld m80", a => a.fld(Tword), 0, X87OperandKind.Extended),
        new("fst st3", a => a.fst(st3), 1),
        new("fstp st1", a => a.fstp(st1), 1),
        new("fst m32", a => a.fst(Dword), 1),
        new("fstp m64", a => a.fstp(Qword), 1),
        new("fstp m80", a => a.fstp(Tword), 1),
        new("fild m16", a => a.fild(Word), 0, X87OperandKind.Int16),
        new("fild m32", a => a.fild(Dword), 0, X87OperandKind.Int32),
        new("fild m64", a => a.fild(Qword), 0, X87OperandKind.Int64),
        new("fist m16", a => a.fist(Word), 1),
        new("fist m32", a => a.fist(Dword), 1),
        new("fistp m64", a => a.fistp(Qword), 1),
        new("fisttp m16", a => a.fisttp(Word), 1),
        new("fisttp m32", a => a.fisttp(Dword), 1),
        new("fisttp m64", a => a.fisttp(Qword), 1),
        new("fbld", a => a.fbld(Tword), 0, X87OperandKind.Bcd),
        new("fbstp", a => a.fbstp(Tword), 1),
        new("fxch st2", a => a.fxch(st0, st2), 3),
        new("fcmovb", a => a.fcmovb(st0, st1), 2),
        new("fcmovnbe", a => a.fcmovnbe(st0, st2), 3),
        new("fcmovu", a => a.fcmovu(st0, st1), 2),
        new("fld1", a => a.fld1(), 0),
        new("fldz", a => a.fldz(), 0),
        new("fldpi", a => a.fldpi(), 0),
        new("fldl2e", a => a.fldl2e(), 0),
        new("fldl2t", a => a.fldl2t(), 0),
        new("fldlg2", a => a.fldlg2(), 0),
        new("fldln2", a => a.fldln2(), 0),
        new("fadd st0,st1", a => a.fadd(st0, st1), 2),
        new("fadd st2,st0", a => a.fadd(st2, st0), 3),
        new("faddp", a => a.faddp(st1, st0), 2),
        new("fadd m32", a => a.fadd(Dword), 1, X87OperandKind.Single),
        new("fadd m64", a => a.fadd(Qword), 1, X87OperandKind.Double),
        new("fiadd m16", a => a.fiadd(Word), 1, X87OperandKind.Int16),
        new("fsub st0,st1", a => a.fsub(st0, st1), 2),
        new("fsubr st0,st1", a => a.fsubr(st0, st1), 2),
        new("fsubp", a => a.fsubp(st1, st0), 2),
        new("fsubrp", a => a.fsubrp(st1, st0), 2),
        new("fsub m64", a => a.fsub(Qword), 1, X87OperandKind.Double),
        new("fsubr m32", a => a.fsubr(Dword), 1, X87OperandKind.Single),
        new("fisub m32", a => a.fisub(Dword), 1, X87OperandKind.Int32),
        new("fisubr m16", a => a.fisubr(Word), 1, X87OperandKind.Int16),
        new("fmul st0,st1", a => a.fmul(st0, st1), 2),
        new("fmulp", a => a.fmulp(st1, st0), 2),
        new("fmul m64", a => a.fmul(Qword), 1, X87OperandKind.Double),
        new("fimul m32", a => a.fimul(Dword), 1, X87OperandKind.Int32),
        new("fdiv st0,st1", a => a.fdiv(st0, st1), 2),
        new("fdivr st0,st1", a => a.fdivr(st0, st1), 2),
        new("fdivp", a => a.fdivp(st1, st0), 2),
        new("fdivrp", a => a.fdivrp(st1, st0), 2),
        new("fdiv m32", a => a.fdiv(Dword), 1, X87OperandKind.Single),
        new("fdivr m64", a => a.fdivr(Qword), 1, X87OperandKind.Double),
        new("fidiv m16", a => a.fidiv(Word), 1, X87OperandKind.Int16),
        new("fidivr m32", a => a.fidivr(Dword), 1, X87OperandKind.Int32),
        new("fchs", a => a.fchs(), 1),
        new("fabs", a => a.fabs(), 1),
        new("fsqrt", a => a.fsqrt(), 1),
        new("frndint", a => a.frndint(), 1),
        new("fscale", a => a.fscale(), 2),
        new("fxtract", a => a.fxtract(), 1),
        new("fprem", a => a.fprem(), 2),
        new("fprem1", a => a.fprem1(), 2),
        new("fcom st1", a => a.fcom(st0, st1), 2),
        new("fcomp m32", a => a.fcomp(Dword), 1, X87OperandKind.Single),
        new("fcom m64", a => a.fcom(Qword), 1, X87OperandKind.Double),
        new("fcompp", a => a.fcompp(), 2),
        new("fucom st2", a => a.fucom(st0, st2), 3),
        new("fucomp st1", a => a.fucomp(st0, st1), 2),
        new("fucompp", a => a.fucompp(), 2),
        new("ficom m16", a => a.ficom(Word), 1, X87OperandKind.Int16),
        new("ficomp m32", a => a.ficomp(Dword), 1, X87OperandKind.Int32),
        new("fcomi", a => a.fcomi(st0, st1), 2),
        new("fcomip", a => a.fcomip(st0, st1), 2),
        new("fucomi", a => a.fucomi(st0, st2), 3),
        new("fucomip", a => a.fucomip(st0, st1), 2),
        new("ftst", a => a.ftst(), 1),
        new("fxam", a => a.fxam(), 1),
        new("ffree st1", a => a.ffree(st1), 2),
        new("fincstp", a => a.fincstp(), 1),
        new("fdecstp", a => a.fdecstp(), 1),
        new("fnop", a => a.fnop(), 1),
        new("fnclex", a => a.fnclex(), 1),
        new("fldcw", a => a.fldcw(Word), 1, X87OperandKind.ControlWord),
        new("fnstcw", a => a.fnstcw(Word), 1),
        new("fnstsw m16", a => a.fnstsw(Word), 1),
        new("fninit", a => a.fninit(), 1),
        new("fnstenv", a => a.fnstenv(__[rdi + X87Block.Operand]), 2, X87OperandKind.None, OperandHoldsEnvironment: true),

        // The rest of the advertised x87 forms (the coverage audit lists them): memory widths and register directions
        // not above, the waiting forms (FCW masks every exception, so none traps), the alias encodings Iced decodes as
        // their own forms (emitted as bytes), the 287 control NOPs, and the 16-bit-operand environment layouts.
        new("fmul m32", a => a.fmul(Dword), 1, X87OperandKind.Single),
        new("fcom m32", a => a.fcom(Dword), 1, X87OperandKind.Single),
        new("fsub m32", a => a.fsub(Dword), 1, X87OperandKind.Single),
        new("fdivr m32", a => a.fdivr(Dword), 1, X87OperandKind.Single),
        new("fstp m32", a => a.fstp(Dword), 1),
        new("fcomp m64", a => a.fcomp(Qword), 1, X87OperandKind.Double),
        new("fsubr m64", a => a.fsubr(Qword), 1, X87OperandKind.Double),
        new("fdiv m64", a => a.fdiv(Qword), 1, X87OperandKind.Double),
        new("fst m64", a => a.fst(Qword), 1),
        new("fiadd m32", a => a.fiadd(Dword), 1, X87OperandKind.Int32),
        new("ficom m32", a => a.ficom(Dword), 1, X87OperandKind.Int32),
        new("fisubr m32", a => a.fisubr(Dword), 1, X87OperandKind.Int32),
        new("fidiv m32", a => a.fidiv(Dword), 1, X87OperandKind.Int32),
        new("fistp m32", a => a.fistp(Dword), 1),
        new("fimul m16", a => a.fimul(Word), 1, X87OperandKind.Int16),
        new("ficomp m16", a => a.ficomp(Word), 1, X87OperandKind.Int16),
        new("fisub m16", a => a.fisub(Word), 1, X87OperandKind.Int16),
        new("fidivr m16", a => a.fidivr(Word), 1, X87OperandKind.Int16),
        new("fistp m16", a => a.fistp(Word), 1),
        new("fcomp st2", a => a.fcomp(st0, st2), 3),
        new("fcmove", a => a.fcmove(st0, st1), 2),
        new("fcmovbe", a => a.fcmovbe(st0, st2), 3),
        new("fcmovnb", a => a.fcmovnb(st0, st1), 2),
        new("fcmovne", a => a.fcmovne(st0, st1), 2),
        new("fcmovnu", a => a.fcmovnu(st0, st2), 3),
        new("fmul st2,st0", a => a.fmul(st2, st0), 3),
        new("fsub st1,st0", a => a.fsub(st1, st0), 2),
        new("fsubr st2,st0", a => a.fsubr(st2, st0), 3),
        new("fdiv st1,st0", a => a.fdiv(st1, st0), 2),
        new("fdivr st2,st0", a => a.fdivr(st2, st0), 3),
        new("fcom alias DC D1", a => a.db(0xDC, 0xD1), 2),
        new("fcomp alias DC D9", a => a.db(0xDC, 0xD9), 2),
        new("fcomp alias DE D1", a => a.db(0xDE, 0xD1), 2),
        new("fxch alias DD C9", a => a.db(0xDD, 0xC9), 2),
        new("fxch alias DF CA", a => a.db(0xDF, 0xCA), 3),
        new("fstp alias DF D1", a => a.db(0xDF, 0xD1), 2),
        new("fstp alias DF D9", a => a.db(0xDF, 0xD9), 2),
        new("ffreep st1", a => a.ffreep(st1), 2),
        new("fneni", a => a.fneni(), 1),
        new("feni", a => a.feni(), 1),
        new("fndisi", a => a.fndisi(), 1),
        new("fdisi", a => a.fdisi(), 1),
        new("fnsetpm", a => a.fnsetpm(), 1),
        new("fsetpm", a => a.fsetpm(), 1),
        new("fclex", a => a.fclex(), 1),
        new("finit", a => a.finit(), 1),
        new("fstcw", a => a.fstcw(Word), 1),
        new("fstsw m16", a => a.fstsw(Word), 1),
        new("fnstsw ax", a => { a.fnstsw(ax); a.mov(Word, ax); }, 1),
        new("fstsw ax", a => { a.fstsw(ax); a.mov(Word, ax); }, 1),
        new("fldenv m28", a => a.fldenv(__[rdi + X87Block.Operand]), 0),
        new("fldenv m14", a => a.db(0x66, 0xD9, 0xA7, 0x00, 0x01, 0x00, 0x00), 0),
        new("fstenv m28", a => a.fstenv(__[rdi + X87Block.Operand]), 2, X87OperandKind.None, OperandHoldsEnvironment: true),

        // The operand bytes are [rdi+disp32] with disp32 = X87Block.Operand (256) or X87Block.Output (128).
        // The 14-byte layout's pointer fields (bytes 6-13: FIP, FCS, FDP, FDS) hold addresses that differ between the runs.
        new("fnstenv m14", a => { a.db(0x66, 0xD9, 0xB7, 0x00, 0x01, 0x00, 0x00); ClearPointers14(a); }, 2),
        new("fstenv m14", a => { a.db(0x9B, 0x66, 0xD9, 0xB7, 0x00, 0x01, 0x00, 0x00); ClearPointers14(a); }, 2),

        // Save to the output image and restore from it, so the snippet's own FNSAVE stores what the form saved.
        new("fsave m108", a => { a.fsave(__[rdi + X87Block.Output]); a.frstor(__[rdi + X87Block.Output]); }, 2),
        new("fnsave m94", a => { a.db(0x66, 0xDD, 0xB7, 0x80, 0x00, 0x00, 0x00); a.db(0x66, 0xDD, 0xA7, 0x80, 0x00, 0x00, 0x00); }, 2),
        new("fsave m94", a => { a.db(0x9B, 0x66, 0xDD, 0xB7, 0x80, 0x00, 0x00, 0x00); a.db(0x66, 0xDD, 0xA7, 0x80, 0x00, 0x00, 0x00); }, 2),
    ];

    private static void ClearPointers14(Assembler a)
    {
        a.mov(__dword_ptr[rdi + X87Block.Operand + 6], 0);
        a.mov(__dword_ptr[rdi + X87Block.Operand + 10], 0);
    }

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (X87Form form in All)
        {
            data.Add(form.Name);
        }

        return data;
    }
}
