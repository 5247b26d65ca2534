#include "kiln/runtime/lr_schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace kiln::rt {

double LrSchedule::at(int64_t step, double base) const {
  if (step < warmup)
    return base * static_cast<double>(step + 1) / static_cast<double>(warmup);
  if (kind == Kind::constant)
    return base;
  const int64_t span = total - warmup;
  if (span <= 1)
    return base;
  // 0 at the first step after warmup, 1 at the last step of the run.
  const double progress = std::min(1.0, static_cast<double>(step - warmup) /
                                            static_cast<double>(span - 1));
  return min_lr +
         (base - min_lr) * 0.5 * (1 + std::cos(std::numbers::pi * progress));
}

std::string LrSchedule::describe() const {
  std::string s = kind == Kind::constant
                      ? std::string("constant")
                      : fmt::format("cosine to {:g}", min_lr);
  if (warmup > 0)
    s += fmt::format(" after {} warmup step{}", warmup, warmup == 1 ? "" : "s");
  return s;
}

} // namespace kiln::rt
