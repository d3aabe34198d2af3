namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 3, 4.6.1 "Determination of Access Rights": whether an access may use a
/// translation with the given effective rights. Shared by the walker and the TLB hit path, so a
/// cached translation is judged exactly as a fresh walk would be.
/// </summary>
public static class AccessRights
{
    public static bool Allows(PagePermissions rights, MemoryAccess access, bool implicitSupervisor, in PagingContext context)
    {
        // Without paging there are no page rights: SMEP, SMAP and WP do nothing.
        if (context.Mode == PagingMode.None)
        {
            return true;
        }

        bool userPage = (rights & PagePermissions.User) != 0;
        bool writable = (rights & PagePermissions.Writable) != 0;
        bool noExecute = (rights & PagePermissions.NoExecute) != 0;

        if (context.IsUserAccess(implicitSupervisor))
        {
            return userPage
                && (access != MemoryAccess.Write || writable)
                && (access != MemoryAccess.Execute || !noExecute);
        }

        if (userPage)
        {
            if (access == MemoryAccess.Execute)
            {
                if (context.Smep)
                {
                    return false;
                }
            }
            else if (context.Smap && (implicitSupervisor || !context.AlignmentCheck))
            {
                // Implicit accesses behave as if AC = 0, whatever RFLAGS says.
                return false;
            }
        }

        return (access != MemoryAccess.Write || writable || !context.WriteProtect)
            && (access != MemoryAccess.Execute || !noExecute);
    }
}
