// A model built for several CPUs (HALIDE_TARGET portable): the table of
// targets its plan carries, the variant chosen on this CPU against the
// CPU's own feature flags, and KILN_CPU_TARGET. ctest runs it once as it
// is and once per target forced (variant_main.cpp skips the targets this
// CPU cannot run).
#include "convnet.h"

#include "cli_runner.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/kernel_variants.h"
#include "kiln/runtime/model.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

using kiln::rt::kCpuTargetVariable;

const char *const kPortable[] = {
    "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41",
    "x86-64-linux-avx-avx2-f16c-fma-sse41", "x86-64-linux"};

const kiln::rt::ModelDesc &model() { return kiln_model_convnet(); }

// The variant Halide should pick, from the CPU's flags as the compiler's
// builtins read them (CPUID), not from Halide's runtime.
size_t expected_variant() {
  if (const char *forced = std::getenv(kCpuTargetVariable))
    for (size_t i = 0; i < std::size(kPortable); ++i)
      if (std::string(forced) == kPortable[i])
        return i;
  __builtin_cpu_init();
  const bool avx2 =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("avx") && __builtin_cpu_supports("sse4.1");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") &&
                      __builtin_cpu_supports("avx512cd") &&
                      __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512vl");
  return avx512 ? 0 : avx2 ? 1 : 2;
}

TEST(KernelVariants, ThePlanListsThePortableTargetsInDispatchOrder) {
  ASSERT_EQ(model().kernel_variants.size(), std::size(kPortable));
  for (size_t i = 0; i < std::size(kPortable); ++i)
    EXPECT_EQ(model().kernel_variants[i].target, kPortable[i]);
  // The baseline needs no CPU feature; the AVX2 variant needs AVX2.
  for (uint64_t word : model().kernel_variants[2].features)
    EXPECT_EQ(word, 0u);
  const int avx2 = halide_target_feature_avx2;
  EXPECT_TRUE(model().kernel_variants[1].features[avx2 / 64] >> (avx2 % 64) &
              1);
}

TEST(KernelVariants, TheChosenVariantIsTheBestThisCpuHas) {
  EXPECT_EQ(kiln::rt::selected_kernel_variant(model()), expected_variant())
      << "chose "
      << model()
             .kernel_variants[kiln::rt::selected_kernel_variant(model())]
             .target;
  for (size_t i = expected_variant(); i < std::size(kPortable); ++i)
    EXPECT_TRUE(kiln::rt::cpu_runs(model().kernel_variants[i])) << kPortable[i];
}

// Setting the variable for one call, then putting back what it was.
struct ScopedCpuTarget {
  explicit ScopedCpuTarget(const char *value) {
    if (const char *old = std::getenv(kCpuTargetVariable))
      saved = old;
    setenv(kCpuTargetVariable, value, 1);
  }
  ~ScopedCpuTarget() {
    if (saved.empty())
      unsetenv(kCpuTargetVariable);
    else
      setenv(kCpuTargetVariable, saved.c_str(), 1);
  }
  std::string saved;
};

TEST(KernelVariants, ATargetTheModelWasNotBuiltForIsRefusedByName) {
  ScopedCpuTarget forced("x86-64-linux-sse41");
  try {
    kiln::rt::apply_cpu_target(model());
    FAIL() << "accepted a target convnet has no kernels for";
  } catch (const kiln::rt::Error &e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("KILN_CPU_TARGET=x86-64-linux-sse41"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("model 'convnet' has no kernels"), std::string::npos)
        << what;
    EXPECT_NE(what.find(kPortable[1]), std::string::npos) << what;
  }
  kiln::rt::ModelDesc no_kernels{"fake", {}, {}};
  EXPECT_THROW(kiln::rt::apply_cpu_target(no_kernels), kiln::rt::Error);
}

TEST(KernelVariants, KilnInfoNamesTheVariantThisRunUses) {
  kiln::rt::register_model(model());
  const kiln::test::CliResult r = kiln::test::run_cli({"info", "convnet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string chosen = kPortable[expected_variant()];
  EXPECT_TRUE(kiln::test::contains(r.out, "GPU kernels: cuda"));
  EXPECT_TRUE(kiln::test::contains(r.out, "kernels: " + chosen + "\n"))
      << r.out;
  EXPECT_TRUE(kiln::test::contains(r.out, "   * " + chosen + "\n")) << r.out;
  for (const char *target : kPortable)
    EXPECT_TRUE(kiln::test::contains(r.out, target)) << r.out;

  ScopedCpuTarget forced("x86-64-linux-bogus");
  const kiln::test::CliResult bad = kiln::test::run_cli({"info", "convnet"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_TRUE(kiln::test::contains(bad.err, "has no kernels for that target"))
      << bad.err;
}

} // namespace
