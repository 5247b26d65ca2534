#include "kiln/runtime/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace kiln::rt {

Profiler *Profiler::active_ = nullptr;

Profiler::Profiler() { active_ = this; }

Profiler::~Profiler() {
  if (active_ == this)
    active_ = nullptr;
}

void Profiler::add(const char *kernel, double seconds) {
  Entry &e = entries_[kernel];
  e.seconds += seconds;
  ++e.calls;
}

std::string Profiler::report() const {
  std::vector<std::pair<std::string, Entry>> rows(entries_.begin(),
                                                  entries_.end());
  std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
    return a.second.seconds > b.second.seconds;
  });
  double total = 0;
  for (const auto &[name, e] : rows)
    total += e.seconds;
  std::string out = fmt::format("{:<40} {:>8} {:>12} {:>7}\n", "kernel",
                                "calls", "ms/call", "share");
  for (const auto &[name, e] : rows)
    out += fmt::format("{:<40} {:>8} {:>12.4f} {:>6.1f}%\n", name, e.calls,
                       1e3 * e.seconds / double(e.calls),
                       total > 0 ? 100 * e.seconds / total : 0.0);
  return out;
}

} // namespace kiln::rt
