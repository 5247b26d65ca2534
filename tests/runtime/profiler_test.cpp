// The per-kernel profiler (kiln/runtime/profile.h): a kernel's first call
// kept apart from its time per call, nested profilers, calls from several
// threads; the expected numbers are worked out here from the times given.
#include "kiln/runtime/profile.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using kiln::rt::Profiler;

// The report's row of `kernel`: calls, ms per call, first ms, share (%).
std::vector<double> row(const std::string &report, const std::string &kernel) {
  std::istringstream in(report);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string name, share;
    double calls = 0, ms = 0, first = 0;
    if (fields >> name >> calls >> ms >> first >> share && name == kernel)
      return {calls, ms, first, std::stod(share)};
  }
  return {};
}

TEST(Profiler, TheFirstCallIsKeptApartFromTheTimePerCall) {
  Profiler p;
  p.add("load_heavy", 0.5); // loading: 500 ms
  p.add("load_heavy", 0.002);
  p.add("load_heavy", 0.004);
  p.add("once", 0.003);
  const std::string r = p.report();
  // Later calls: 3 ms each on average; shares of 3 x 3 ms against 3 ms.
  EXPECT_EQ(row(r, "load_heavy"), (std::vector<double>{3, 3.0, 500.0, 75.0}))
      << r;
  EXPECT_EQ(row(r, "once"), (std::vector<double>{1, 3.0, 3.0, 25.0})) << r;
  // Sorted by total time after the first calls.
  EXPECT_LT(r.find("load_heavy"), r.find("once")) << r;
}

TEST(Profiler, ANestedProfilerHandsBackToTheOuterOne) {
  EXPECT_EQ(Profiler::active(), nullptr);
  Profiler outer;
  {
    Profiler inner;
    EXPECT_EQ(Profiler::active(), &inner);
  }
  EXPECT_EQ(Profiler::active(), &outer);
}

TEST(Profiler, CallsFromSeveralThreadsAreAllCounted) {
  Profiler p;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i)
        kiln::rt::KernelScope scope("shared");
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(p.entries().at("shared").calls, 40000u);
}

} // namespace
