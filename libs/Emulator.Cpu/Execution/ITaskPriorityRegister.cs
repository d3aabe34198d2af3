namespace Emulator.Cpu;

/// <summary>
/// CR8 as a view of the local APIC's TPR (SDM vol. 3, 10.8.6.1): CR8[3:0] = TPR[7:4]. Reached through
/// <see cref="SystemServices.TaskPriority"/>; without one, CR8 is a plain register.
/// </summary>
public interface ITaskPriorityRegister
{
    ulong Cr8 { get; set; }
}
