using System.Reflection;
using System.Runtime.CompilerServices;

namespace Emulator.Cpu.Tests;

/// <summary>
/// The offsets translated code will embed: every field of <see cref="CpuState"/> has a constant in
/// <see cref="CpuStateLayout"/> and the constant is where the runtime really put the field.
/// </summary>
public sealed unsafe class CpuStateLayoutTests
{
    [Fact]
    public void SizeIsTheConstantAndElementsHaveTheirDocumentedSizes()
    {
        Assert.Equal(CpuStateLayout.Size, sizeof(CpuState));
        Assert.Equal(CpuStateLayout.Size, Unsafe.SizeOf<CpuState>());
        Assert.Equal(CpuStateLayout.SegmentSize, sizeof(SegmentCache));
        Assert.Equal(CpuStateLayout.DescriptorTableSize, sizeof(DescriptorTable));
        Assert.Equal(CpuStateLayout.FprSize, sizeof(Float80));
        Assert.Equal(CpuStateLayout.XmmSize, sizeof(XmmRegister));
        Assert.Equal(CpuStateLayout.MtrrVariableRangeSize, sizeof(MtrrVariableRange));
        Assert.Equal(GprFile.Count * 8, sizeof(GprFile));
        Assert.Equal(SegmentFile.Count * CpuStateLayout.SegmentSize, sizeof(SegmentFile));
        Assert.Equal(XmmFile.Count * CpuStateLayout.XmmSize, sizeof(XmmFile));
        Assert.Equal(X87RegisterFile.Count * CpuStateLayout.FprSize, sizeof(X87RegisterFile));
        Assert.Equal(MtrrFixedFile.Count * 8, sizeof(MtrrFixedFile));
        Assert.Equal(MtrrVariableFile.Count * CpuStateLayout.MtrrVariableRangeSize, sizeof(MtrrVariableFile));
    }

    [Fact]
    public void EveryFieldHasAConstantEqualToItsRealOffset()
    {
        Dictionary<string, int> actual = ActualOffsets();
        string[] fields = [.. typeof(CpuState).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Select(f => f.Name)];
        Assert.Equal(fields.Order(), actual.Keys.Order());
        foreach (string name in fields)
        {
            FieldInfo? constant = typeof(CpuStateLayout).GetField(name, BindingFlags.Public | BindingFlags.Static);
            Assert.True(constant is { IsLiteral: true }, $"CpuStateLayout has no constant {name}");
            int expected = Convert.ToInt32(constant.GetRawConstantValue());
            Assert.True(actual[name] == expected, $"{name}: constant {expected}, real offset {actual[name]}");
        }
    }

    [Fact]
    public void FieldsFollowEachOtherWithoutOverlapInDeclarationOrder()
    {
        Dictionary<string, int> actual = ActualOffsets();
        FieldInfo[] fields = typeof(CpuState).GetFields(BindingFlags.Instance | BindingFlags.Public);
        int end = 0;
        foreach (FieldInfo field in fields.OrderBy(f => actual[f.Name]))
        {
            Assert.True(actual[field.Name] >= end, $"{field.Name} overlaps the field before it");
            end = actual[field.Name] + RuntimeHelpers.SizeOf(field.FieldType.TypeHandle);
        }

        Assert.True(end <= CpuStateLayout.Size);
        Assert.True(CpuStateLayout.Size - end < 8, "more than alignment padding at the end");
    }

    [Fact]
    public void InnerOffsetsAndIndexedOffsetsMatchTheStruct()
    {
        CpuState s = default;
        ref SegmentCache gs = ref s.Segment(SegmentRegister.Gs);
        Assert.Equal(CpuStateLayout.SegmentOffset(SegmentRegister.Gs), Offset(ref s, ref gs));
        Assert.Equal(CpuStateLayout.SegmentOffset(SegmentRegister.Gs) + CpuStateLayout.SegmentBase, Offset(ref s, ref gs.Base));
        Assert.Equal(CpuStateLayout.SegmentOffset(SegmentRegister.Gs) + CpuStateLayout.SegmentLimit, Offset(ref s, ref gs.Limit));
        Assert.Equal(CpuStateLayout.SegmentOffset(SegmentRegister.Gs) + CpuStateLayout.SegmentFlags, Offset(ref s, ref gs.Flags));
        Assert.Equal(CpuStateLayout.SegmentOffset(SegmentRegister.Gs) + CpuStateLayout.SegmentSelector, Offset(ref s, ref gs.Selector));
        Assert.Equal(CpuStateLayout.Idtr + CpuStateLayout.DescriptorTableLimit, Offset(ref s, ref s.Idtr.Limit));
        Assert.Equal(CpuStateLayout.Idtr + CpuStateLayout.DescriptorTableBase, Offset(ref s, ref s.Idtr.Base));
        Assert.Equal(CpuStateLayout.GprOffset(GeneralRegister.R13), Offset(ref s, ref s.Register(GeneralRegister.R13)));
        Assert.Equal(CpuStateLayout.XmmOffset(15), Offset(ref s, ref s.Xmm[15]));
        Assert.Equal(CpuStateLayout.FprOffset(7) + CpuStateLayout.FprSignExponent, Offset(ref s, ref s.Fpr[7].SignExponent));
        Assert.Equal(CpuStateLayout.FprOffset(7) + CpuStateLayout.FprSignificand, Offset(ref s, ref s.Fpr[7].Significand));
    }

    [Fact]
    public void VectorRegistersAreSixteenByteAlignedInAnAlignedState()
    {
        Assert.Equal(0, CpuStateLayout.Xmm % 16);
        Assert.Equal(0, CpuStateLayout.Fpr % 16);
        Assert.Equal(0, CpuStateLayout.Alignment % 16);
        using var vcpu = new Vcpu();
        Assert.Equal(0, vcpu.StateAddress % CpuStateLayout.Alignment);
    }

    [Fact]
    public void RegisterAccessorsAliasTheArrays()
    {
        CpuState s = default;
        s.Register(GeneralRegister.Rsp) = 0x1234;
        s.Segment(SegmentRegister.Ss).Selector = 0x18;
        Assert.Equal(0x1234UL, s.Gpr[4]);
        Assert.Equal(0x18, s.Segments[2].Selector);
    }

    private static Dictionary<string, int> ActualOffsets()
    {
        CpuState s = default;
        return new Dictionary<string, int>
        {
            [nameof(CpuState.Gpr)] = Offset(ref s, ref s.Gpr),
            [nameof(CpuState.Rip)] = Offset(ref s, ref s.Rip),
            [nameof(CpuState.Rflags)] = Offset(ref s, ref s.Rflags),
            [nameof(CpuState.Segments)] = Offset(ref s, ref s.Segments),
            [nameof(CpuState.Ldtr)] = Offset(ref s, ref s.Ldtr),
            [nameof(CpuState.Tr)] = Offset(ref s, ref s.Tr),
            [nameof(CpuState.Gdtr)] = Offset(ref s, ref s.Gdtr),
            [nameof(CpuState.Idtr)] = Offset(ref s, ref s.Idtr),
            [nameof(CpuState.Cr0)] = Offset(ref s, ref s.Cr0),
            [nameof(CpuState.Cr2)] = Offset(ref s, ref s.Cr2),
            [nameof(CpuState.Cr3)] = Offset(ref s, ref s.Cr3),
            [nameof(CpuState.Cr4)] = Offset(ref s, ref s.Cr4),
            [nameof(CpuState.Cr8)] = Offset(ref s, ref s.Cr8),
            [nameof(CpuState.Efer)] = Offset(ref s, ref s.Efer),
            [nameof(CpuState.Dr0)] = Offset(ref s, ref s.Dr0),
            [nameof(CpuState.Dr1)] = Offset(ref s, ref s.Dr1),
            [nameof(CpuState.Dr2)] = Offset(ref s, ref s.Dr2),
            [nameof(CpuState.Dr3)] = Offset(ref s, ref s.Dr3),
            [nameof(CpuState.Dr6)] = Offset(ref s, ref s.Dr6),
            [nameof(CpuState.Dr7)] = Offset(ref s, ref s.Dr7),
            [nameof(CpuState.Star)] = Offset(ref s, ref s.Star),
            [nameof(CpuState.Lstar)] = Offset(ref s, ref s.Lstar),
            [nameof(CpuState.Cstar)] = Offset(ref s, ref s.Cstar),
            [nameof(CpuState.Sfmask)] = Offset(ref s, ref s.Sfmask),
            [nameof(CpuState.KernelGsBase)] = Offset(ref s, ref s.KernelGsBase),
            [nameof(CpuState.SysenterCs)] = Offset(ref s, ref s.SysenterCs),
            [nameof(CpuState.SysenterEsp)] = Offset(ref s, ref s.SysenterEsp),
            [nameof(CpuState.SysenterEip)] = Offset(ref s, ref s.SysenterEip),
            [nameof(CpuState.Pat)] = Offset(ref s, ref s.Pat),
            [nameof(CpuState.TscAux)] = Offset(ref s, ref s.TscAux),
            [nameof(CpuState.ApicBase)] = Offset(ref s, ref s.ApicBase),
            [nameof(CpuState.MiscEnable)] = Offset(ref s, ref s.MiscEnable),
            [nameof(CpuState.MtrrDefType)] = Offset(ref s, ref s.MtrrDefType),
            [nameof(CpuState.MtrrFixed)] = Offset(ref s, ref s.MtrrFixed),
            [nameof(CpuState.MtrrVariable)] = Offset(ref s, ref s.MtrrVariable),
            [nameof(CpuState.Xmm)] = Offset(ref s, ref s.Xmm),
            [nameof(CpuState.Fpr)] = Offset(ref s, ref s.Fpr),
            [nameof(CpuState.Fip)] = Offset(ref s, ref s.Fip),
            [nameof(CpuState.Fdp)] = Offset(ref s, ref s.Fdp),
            [nameof(CpuState.Mxcsr)] = Offset(ref s, ref s.Mxcsr),
            [nameof(CpuState.Fcw)] = Offset(ref s, ref s.Fcw),
            [nameof(CpuState.Fsw)] = Offset(ref s, ref s.Fsw),
            [nameof(CpuState.Fop)] = Offset(ref s, ref s.Fop),
            [nameof(CpuState.Fcs)] = Offset(ref s, ref s.Fcs),
            [nameof(CpuState.Fds)] = Offset(ref s, ref s.Fds),
            [nameof(CpuState.Ftw)] = Offset(ref s, ref s.Ftw),
            [nameof(CpuState.FpuTop)] = Offset(ref s, ref s.FpuTop),
            [nameof(CpuState.Cpl)] = Offset(ref s, ref s.Cpl),
            [nameof(CpuState.InterruptShadow)] = Offset(ref s, ref s.InterruptShadow),
            [nameof(CpuState.Halted)] = Offset(ref s, ref s.Halted),
            [nameof(CpuState.A20Enabled)] = Offset(ref s, ref s.A20Enabled),
            [nameof(CpuState.NmiBlocked)] = Offset(ref s, ref s.NmiBlocked),
        };
    }

    private static int Offset<T>(ref CpuState state, ref T field) =>
        (int)Unsafe.ByteOffset(ref Unsafe.As<CpuState, byte>(ref state), ref Unsafe.As<T, byte>(ref field));
}
