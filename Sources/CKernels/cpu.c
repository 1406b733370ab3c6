#include "CKernels.h"
#include <cpuid.h>

// Asked once, by Kernels/KernelChoice.swift (`avx512Runs`), which keeps the answer.
bool wbdit_has_avx512(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE)) return false;
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    // XMM, YMM, opmask and both halves of ZMM state saved by the OS.
    if ((lo & 0xe6) != 0xe6) return false;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
    return (ebx & bit_AVX512F) != 0;
}

// Asked once, by Kernels/ProductPrecision.swift (`bfloat16Runs`): AVX-512 F with BW (the
// lane shuffles of the BF16 kernel's packing) and BF16 (CPUID leaf 7, sub-leaf 1).
bool wbdit_has_avx512_bf16(void) {
    unsigned eax, ebx, ecx, edx;
    if (!wbdit_has_avx512()) return false;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(ebx & bit_AVX512BW)) return false;
    if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return false;
    return (eax & (1u << 5)) != 0;
}
