// The device an e2e test's Sessions run on: the CPU, or a GPU device when
// ctest sets KILN_TEST_DEVICE=cuda|opencl (the `.cuda` and `.opencl` runs
// of tests whose models have GPU kernels). Without such a device the run is
// skipped (exit 77), so every machine builds the GPU kernels and runs them
// wherever a device exists (OpenCL: PoCL runs them on the CPU, in CI).
#pragma once

#include "kiln/runtime/device.h"
#include "kiln/runtime/error.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace kiln::test {

// Sets the default device from KILN_TEST_DEVICE; returns an exit code when
// the test must not run (77: no such device here; 1: a bad value).
inline std::optional<int> select_test_device() {
  const char *name = std::getenv("KILN_TEST_DEVICE");
  if (name == nullptr)
    return std::nullopt;
  try {
    const rt::Device device = rt::parse_device(name);
    if (device != rt::Device::cpu) {
      try {
        rt::DeviceMemory probe(device); // loads the driver, finds a GPU
      } catch (const rt::Error &e) {
        std::printf("skipped: %s\n", e.what());
        return 77;
      }
    }
    rt::set_default_device(device);
    std::printf("device: %s\n", rt::device_name(device));
  } catch (const rt::Error &e) {
    std::fprintf(stderr, "KILN_TEST_DEVICE: %s\n", e.what());
    return 1;
  }
  return std::nullopt;
}

} // namespace kiln::test
