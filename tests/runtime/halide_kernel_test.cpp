// The runtime against a real Halide AOT kernel (halide_kernel_gen.cpp):
// BufferView's dimension order, kernel errors becoming Error instead of
// Halide's default abort(), set_num_threads reaching Halide's pool, and
// Halide's parallel loops running on kiln's (thread_pool_test.cpp tests
// that pool itself).
#include "kiln_test_kernel.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/tensor.h"
#include "kiln/runtime/thread_pool.h"
#include "kiln/runtime/threads.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>
#include <thread>

using namespace kiln::rt;

TEST(HalideKernel, BufferViewMatchesHalideLayout) {
  Tensor x({3, 5}), y({3, 5});
  for (int i = 0; i < 15; ++i)
    x.data()[i] = static_cast<float>(i);
  BufferView in(x), out(y);
  check_kernel(kiln_test_kernel(in.get(), out.get()), "kiln_test_kernel");
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 5; ++c)
      EXPECT_EQ(y.data()[r * 5 + c], 2.0f * (r * 5 + c) + 100.0f * c)
          << r << ", " << c;
}

TEST(HalideKernel, KernelErrorIsAnErrorWithHalidesMessage) {
  Tensor x({2, 5}), y({3, 5}); // output needs 3 rows of input
  BufferView in(x), out(y);
  try {
    check_kernel(kiln_test_kernel(in.get(), out.get()), "kiln_test_kernel");
    FAIL() << "no error";
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()),
              "kernel kiln_test_kernel failed with Halide error -4 (access "
              "out of bounds): Input buffer in is accessed at 2, which is "
              "beyond the max (1) in dimension 1");
  }
  // The message is consumed: the next failure does not repeat it.
  EXPECT_THROW(check_kernel(-1, "other"), Error);
  try {
    check_kernel(-1, "other");
  } catch (const Error &e) {
    EXPECT_STREQ(e.what(), "kernel other failed with Halide error -1 "
                           "(generic error)");
  }
}

// For KILN_THREAD_POOL=halide, which keeps Halide's pool.
TEST(HalideKernel, SetNumThreadsReachesHalidesPool) {
  set_num_threads(3);
  EXPECT_EQ(halide_set_num_threads(2), 3); // returns the previous setting
  set_num_threads(0);
}

namespace {

bool keeps_halides_pool() {
  const char *choice = std::getenv("KILN_THREAD_POOL");
  return choice && std::string(choice) == "halide";
}

struct Threads {
  std::mutex mutex;
  std::set<std::thread::id> ids;
};

int note_thread(void *, int, uint8_t *closure) {
  std::this_thread::sleep_for(std::chrono::microseconds(200));
  auto *t = reinterpret_cast<Threads *>(closure);
  std::lock_guard lock(t->mutex);
  t->ids.insert(std::this_thread::get_id());
  return 0;
}

} // namespace

TEST(HalideKernel, ParallelLoopsRunOnKilnsPool) {
  if (keeps_halides_pool())
    GTEST_SKIP() << "KILN_THREAD_POOL=halide";
  halide_do_par_for_t current =
      halide_set_custom_do_par_for(halide_default_do_par_for);
  halide_set_custom_do_par_for(current);
  EXPECT_EQ(current, kiln::rt::parallel_for);
  // Halide's loops follow set_num_threads down to one thread, which
  // Halide's own pool does not (64 tasks of 200 us: a second thread would
  // take some).
  set_num_threads(2);
  Threads two; // a loop on 2 threads first: the pool has a worker to stop
  ASSERT_EQ(halide_do_par_for(nullptr, note_thread, 0, 64,
                              reinterpret_cast<uint8_t *>(&two)),
            0);
  set_num_threads(1);
  Threads one;
  ASSERT_EQ(halide_do_par_for(nullptr, note_thread, 0, 64,
                              reinterpret_cast<uint8_t *>(&one)),
            0);
  EXPECT_EQ(one.ids, std::set<std::thread::id>{std::this_thread::get_id()});
  set_num_threads(0);
}

TEST(HalideKernel, ArenaMemoryWorksAsKernelOutput) {
  Session s(ModelDesc{.name = "m", .params = {}, .entries = {}});
  Tensor x({4, 16});
  const int64_t shape[] = {4, 16};
  float *scratch = s.arena(0, 4 * 16 * sizeof(float));
  BufferView in(x), out(scratch, shape);
  check_kernel(kiln_test_kernel(in.get(), out.get()), "kiln_test_kernel");
  EXPECT_EQ(scratch[4 * 16 - 1], 1500.0f);
}
