// main() of the e2e tests that ctest runs once per kernel variant of their
// model, with KILN_CPU_TARGET naming it: exits 77 (ctest: skipped, with
// this message) when this CPU cannot run that variant, so that every
// variant is built everywhere and run wherever it can. KILN_VARIANT_MODEL
// is the test's kiln_model_NAME function. KILN_TEST_DEVICE picks the device
// (test_device.h).
#include "test_device.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/kernel_variants.h"
#include "kiln/runtime/model.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

const kiln::rt::ModelDesc &KILN_VARIANT_MODEL();

int main(int argc, char **argv) {
  testing::InitGoogleTest(&argc, argv);
  const kiln::rt::ModelDesc &model = KILN_VARIANT_MODEL();
  if (const auto code = kiln::test::select_test_device())
    return *code;
  if (const char *forced = std::getenv(kiln::rt::kCpuTargetVariable)) {
    for (const kiln::rt::KernelVariant &v : model.kernel_variants)
      if (v.target == forced && !kiln::rt::cpu_runs(v)) {
        std::printf("skipped: this CPU cannot run the %s kernels of %s\n",
                    forced, std::string(model.name).c_str());
        return 77;
      }
    try {
      kiln::rt::apply_cpu_target(model);
    } catch (const kiln::rt::Error &e) {
      std::fprintf(stderr, "%s\n", e.what());
      return 1;
    }
  }
  if (!model.kernel_variants.empty())
    std::printf("kernels of %s: %s\n", std::string(model.name).c_str(),
                std::string(kiln::rt::selected_kernel_target(model)).c_str());
  return RUN_ALL_TESTS();
}
