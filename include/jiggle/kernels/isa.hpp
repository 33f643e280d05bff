#pragma once
// Which vector instructions the products may use, read from the CPU at run time, so a program
// compiled without any -m flag still runs its products on AVX2, AVX-512, AVX512_BF16 or AMX where
// the machine has them, and on Eigen's portable code where it has none; and whether a precision
// can run here (require_supported).
#include <atomic>
#include <string>

#include "jiggle/error.hpp"
#include "jiggle/precision.hpp"

// The kernels are written with GCC's and Clang's x86 intrinsics and target attributes; any
// other compiler or machine gets the portable products alone.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define JIGGLE_HAS_X86_KERNELS 1
#endif

// The target attribute of every function compiled for a level: exactly the features read_cpu
// checks for that level, written once, so no function can use an instruction its level's check
// does not cover (which would stop the program with an illegal instruction).
#define JIGGLE_TARGET_AVX2 "avx2,fma"
#define JIGGLE_TARGET_AVX512 "avx512f,avx512bw,avx512vl,avx512dq,fma"
#define JIGGLE_TARGET_AVX512_BF16 "avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma"

#ifdef JIGGLE_HAS_X86_KERNELS
#include <cpuid.h>
#endif

namespace jiggle::kernels {

// Ordered: every level runs on any CPU that runs the level above it. amx_bf16 runs bf16 products
// on AMX tiles and fp32 products on AVX-512.
enum class Isa { portable, avx2, avx512, avx512_bf16, amx_bf16 };

inline std::string to_string(Isa isa) {
  switch (isa) {
    case Isa::portable: return "portable";
    case Isa::avx2: return "AVX2";
    case Isa::avx512: return "AVX-512";
    case Isa::avx512_bf16: return "AVX-512 with AVX512_BF16";
    case Isa::amx_bf16: return "AVX-512 with AMX-BF16";
  }
  return "unknown";
}

namespace isa_detail {

#ifdef JIGGLE_HAS_X86_KERNELS
// CPUID leaf 7: EDX bit 22 is AMX-BF16, bit 24 AMX-TILE; and the operating system saves the
// tiles' configuration and data (XCR0 bits 17 and 18), as it must before any tile instruction.
inline bool system_has_amx_bf16() {
  unsigned eax = 0;
  unsigned ebx = 0;
  unsigned ecx = 0;
  unsigned edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  if ((edx & (1U << 22U)) == 0 || (edx & (1U << 24U)) == 0) return false;
  __get_cpuid(1, &eax, &ebx, &ecx, &edx);
  if ((ecx & (1U << 27U)) == 0) return false;  // OSXSAVE: XGETBV may run
  unsigned low = 0;
  unsigned high = 0;
  asm volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  constexpr unsigned kTileState = (1U << 17U) | (1U << 18U);
  return (low & kTileState) == kTileState;
}

// Linux hands a process the tiles' 8 KB of register state only on request
// (arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)), and without it the first tile
// instruction kills the process. The request covers every thread, now and later. Made as a bare
// system call, so the library's headers need no POSIX header. Returns 0, or −errno.
inline long request_tile_state() {
#ifdef __linux__
  constexpr long kArchPrctl = 158;             // SYS_arch_prctl on x86-64
  constexpr long kRequestPermission = 0x1023;  // ARCH_REQ_XCOMP_PERM
  constexpr long kTileData = 18;               // XFEATURE_XTILEDATA
  long result = kArchPrctl;
  asm volatile("syscall" : "+a"(result) : "D"(kRequestPermission), "S"(kTileData) : "rcx", "r11", "memory");
  return result;
#else
  return -1;  // no known way to ask this system for the tile state
#endif
}
#endif

inline Isa read_cpu() {
#ifdef JIGGLE_HAS_X86_KERNELS
  // __builtin_cpu_supports also asks the operating system whether it saves the vector
  // registers, so a kernel never runs where its registers would be lost.
  __builtin_cpu_init();
  if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) return Isa::portable;
  if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq")))
    return Isa::avx2;
  if (!__builtin_cpu_supports("avx512bf16")) return Isa::avx512;
  if (!system_has_amx_bf16()) return Isa::avx512_bf16;
  return Isa::amx_bf16;
#else
  return Isa::portable;
#endif
}

inline Isa cpu_reports() {
  static const Isa isa = read_cpu();
  return isa;
}

// The operating system's answer to the request for the tile state: 0 until asked, then 1 if
// granted, else the request's −errno.
inline std::atomic<long>& tile_state_answer() {
  static std::atomic<long> answer{0};
  return answer;
}

}  // namespace isa_detail

// The best level this CPU runs, read once; AMX-BF16 stops counting if the operating system
// refuses its tile state (see tile_state_granted).
inline Isa cpu_isa() {
  const Isa reported = isa_detail::cpu_reports();
  if (reported == Isa::amx_bf16 && isa_detail::tile_state_answer().load(std::memory_order_acquire) < 0)
    return Isa::avx512_bf16;
  return reported;
}

// Asks the operating system for AMX's tile state, once, where the CPU has AMX-BF16: the first
// bf16 product asks, not the program's start, so a program that never multiplies in bf16 never
// holds the state, and its signal frames and alternate signal stacks keep their usual size.
// True if granted.
inline bool tile_state_granted() {
  static const bool granted = [] {
    if (isa_detail::cpu_reports() != Isa::amx_bf16) return false;
#ifdef JIGGLE_HAS_X86_KERNELS
    const long error = isa_detail::request_tile_state();
#else
    const long error = -1;
#endif
    isa_detail::tile_state_answer().store(error == 0 ? 1 : error, std::memory_order_release);
    return error == 0;
  }();
  return granted;
}

// Empty, or one line on a level the CPU reports that its products do not use, and why.
inline std::string cpu_isa_note() {
  const long answer = isa_detail::tile_state_answer().load(std::memory_order_acquire);
  if (answer >= 0) return "";
  return "the CPU has AMX-BF16, but the operating system refused its tile state (error " + std::to_string(-answer) +
         "): bf16 products run on AVX512_BF16";
}

// Throws unless this CPU runs `isa`, before `what` (code compiled for it) is asked to run there.
inline void require_cpu_runs(Isa isa, const std::string& what) {
  if (isa > cpu_isa())
    throw Error("jiggle: " + what + " for " + to_string(isa) + " cannot run on this CPU, which runs " +
                to_string(cpu_isa()));
}

}  // namespace jiggle::kernels

namespace jiggle {

// bf16 products run on AVX512_BF16 or AMX alone: asking for them elsewhere is an error raised
// here, at set-up, never an illegal instruction later.
inline void require_supported(Precision precision) {
  if (precision == Precision::bf16) kernels::tile_state_granted();
  if (precision == Precision::bf16 && kernels::cpu_isa() < kernels::Isa::avx512_bf16)
    throw Error("bf16 products need a CPU with AVX512_BF16; this one offers " + kernels::to_string(kernels::cpu_isa()) +
                " (use fp32)");
}

}  // namespace jiggle
