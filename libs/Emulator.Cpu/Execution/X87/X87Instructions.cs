namespace Emulator.Cpu;

/// <summary>The x87 FPU (SDM vol. 1, chapter 8): registers every x87 family with the dispatch table.</summary>
public static class X87Instructions
{
    public static void AddTo(DispatchTable table)
    {
        X87DataTransfer.AddTo(table);
        X87Arithmetic.AddTo(table);
        X87Comparison.AddTo(table);
        X87Constants.AddTo(table);
        X87Control.AddTo(table);
        X87Environment.AddTo(table);
        X87Transcendental.AddTo(table);
    }
}
