/*
 * prng_shim.c - bcryptprimitives.dll with the one function the Go runtime
 * needs (ProcessPrng), for running the Windows files under Wine 8 in the
 * package tests. Wine 8 (Debian 12) has no bcryptprimitives.dll, and Go
 * 1.22+ programs stop at start-up without it. Real Windows (8 and later) and
 * newer Wine ship the DLL; this file is never packaged.
 */
#include <windows.h>

/* RtlGenRandom is exported by advapi32 as SystemFunction036. */
BOOLEAN NTAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x10000000u ? 0x10000000u : (ULONG)len;
    if (!SystemFunction036(data, n))
      return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
