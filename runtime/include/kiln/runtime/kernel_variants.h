// Which compiled variant of a model's kernels this CPU runs. A model built
// for several Halide targets (kiln_add_model HALIDE_TARGET, e.g. portable)
// has every kernel once per target and a dispatcher that, on its first
// call, runs the first variant whose features the CPU has (Halide's
// halide_can_use_target_features), the last one unconditionally. The plan
// carries the table of targets so that the runtime can say which variant
// runs, with the same test, and restrict it (KILN_CPU_TARGET).
#pragma once

#include <HalideRuntime.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kiln::rt {

struct ModelDesc;

// halide_can_use_target_features's layout: feature f (halide_target_feature_t)
// is bit f % 64 of word f / 64.
inline constexpr int kFeatureWords = (halide_target_feature_end + 63) / 64;

struct KernelVariant {
  std::string_view
      target; // Halide target string, e.g. x86-64-linux-avx-avx2-...
  std::array<uint64_t, kFeatureWords> features{};
};

// Names a target of the model's table; kernels then run the first variant
// that needs no feature beyond that target's (for testing and measuring a
// variant on a CPU that could run a faster one).
inline constexpr const char *kCpuTargetVariable = "KILN_CPU_TARGET";

// Whether this CPU has every feature of `variant` (Halide's own test,
// whatever KILN_CPU_TARGET says).
bool cpu_runs(const KernelVariant &variant);

// Applies KILN_CPU_TARGET, when set, for `model`: checks that the model has
// kernels for that target and that the CPU can run them, then restricts the
// dispatch of every model's kernels to its features, once per process.
// Throws rt::Error naming the variable, the model and its targets
// otherwise. Session's constructor calls it, before any kernel runs.
void apply_cpu_target(const ModelDesc &model);

// The index into model.kernel_variants of the variant its kernels run (0
// for a model without a table).
size_t selected_kernel_variant(const ModelDesc &model);

// The target of that variant, as tools print it ("" for a model without a
// table).
std::string_view selected_kernel_target(const ModelDesc &model);

} // namespace kiln::rt
