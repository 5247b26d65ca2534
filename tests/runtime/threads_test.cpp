// set_num_threads: for Halide's pool (KILN_THREAD_POOL=halide), exports
// HL_NUM_THREADS for a pool not yet started and resizes a running one
// through halide_set_num_threads when the Halide runtime is linked. This
// binary links no Halide runtime, so a stand-in below plays its part (the
// runtime library references it weakly). kiln's own pool, which runs
// kernels otherwise: thread_pool_test.cpp.
#include "kiln/runtime/error.h"
#include "kiln/runtime/threads.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {
int last_requested = -1;
} // namespace

extern "C" int halide_set_num_threads(int n) {
  const int old = last_requested;
  last_requested = n;
  return old;
}

TEST(Threads, ExportsEnvironmentAndCallsHalide) {
  kiln::rt::set_num_threads(3);
  ASSERT_NE(std::getenv("HL_NUM_THREADS"), nullptr);
  EXPECT_EQ(std::string(std::getenv("HL_NUM_THREADS")), "3");
  EXPECT_EQ(last_requested, 3);
  kiln::rt::set_num_threads(0); // back to Halide's default
  EXPECT_EQ(std::getenv("HL_NUM_THREADS"), nullptr);
  EXPECT_EQ(last_requested, 0);
}

TEST(Threads, NegativeIsAnError) {
  EXPECT_THROW(kiln::rt::set_num_threads(-1), kiln::rt::Error);
}
