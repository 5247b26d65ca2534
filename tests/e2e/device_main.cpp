// main() of the e2e tests whose models have GPU kernels: as gtest_main,
// after picking the device from KILN_TEST_DEVICE (test_device.h).
#include "test_device.h"

#include <gtest/gtest.h>

int main(int argc, char **argv) {
  testing::InitGoogleTest(&argc, argv);
  if (const auto code = kiln::test::select_test_device())
    return *code;
  return RUN_ALL_TESTS();
}
