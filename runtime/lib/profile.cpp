#include "kiln/runtime/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace kiln::rt {

std::atomic<Profiler *> Profiler::active_{nullptr};

Profiler::Profiler() : previous_(active_.exchange(this)) {}

Profiler::~Profiler() {
  Profiler *self = this;
  active_.compare_exchange_strong(self, previous_);
}

void Profiler::add(const char *kernel, double seconds) {
  const std::lock_guard<std::mutex> lock(mutex_);
  Entry &e = entries_[kernel];
  if (e.calls++ == 0)
    e.first_seconds = seconds;
  else
    e.seconds += seconds;
}

std::map<std::string, Profiler::Entry> Profiler::entries() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return entries_;
}

std::string Profiler::report() const {
  // What a call costs once the kernel is loaded: the later calls' mean, or
  // the first call for a kernel called once.
  auto steady = [](const Entry &e) {
    return e.calls > 1 ? e.seconds / double(e.calls - 1) : e.first_seconds;
  };
  auto total = [&](const Entry &e) { return steady(e) * double(e.calls); };
  const std::map<std::string, Entry> all = entries();
  std::vector<std::pair<std::string, Entry>> rows(all.begin(), all.end());
  std::sort(rows.begin(), rows.end(), [&](const auto &a, const auto &b) {
    return total(a.second) > total(b.second);
  });
  double sum = 0;
  for (const auto &[name, e] : rows)
    sum += total(e);
  std::string out = fmt::format("{:<40} {:>8} {:>12} {:>10} {:>7}\n", "kernel",
                                "calls", "ms/call", "first ms", "share");
  for (const auto &[name, e] : rows)
    out += fmt::format("{:<40} {:>8} {:>12.4f} {:>10.3f} {:>6.1f}%\n", name,
                       e.calls, 1e3 * steady(e), 1e3 * e.first_seconds,
                       sum > 0 ? 100 * total(e) / sum : 0.0);
  return out;
}

} // namespace kiln::rt
