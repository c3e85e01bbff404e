/* bcryptprimitives.dll for Wine 8, which lacks it: Rust's std on Windows
 * takes its random bytes (HashMap keys) from ProcessPrng. This forwards to
 * RtlGenRandom (advapi32!SystemFunction036), which Wine has.
 * Built by tests/windows/setup.sh with x86_64-w64-mingw32-gcc; never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
