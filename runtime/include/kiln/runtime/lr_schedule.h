// Learning-rate schedules: the factor of a train entry point's base
// learning rate at each step. A compiled train entry point reads its
// learning rate from the buffer parameter "ENTRY.lr" (docs/ir.md), so
// `kiln train` (or any caller) sets it before each step; nothing is
// recompiled.
#pragma once

#include <cstdint>
#include <string>

namespace kiln::rt {

struct LrSchedule {
  enum class Kind { constant, cosine };
  Kind kind = Kind::constant;
  int64_t warmup = 0; // steps of linear warmup: step i uses (i + 1) / warmup
  int64_t total = 0;  // steps of the whole run: cosine ends at its last
  double min_lr = 0;  // cosine's final learning rate

  // The learning rate of step `step` (0 for the first) for base rate `base`:
  // warmup, then constant `base` or a cosine from `base` to `min_lr` over the
  // remaining steps (torch's CosineAnnealingLR shape, per step).
  double at(int64_t step, double base) const;
  // "constant", "cosine to 1e-05 after 100 warmup steps"
  std::string describe() const;
};

} // namespace kiln::rt
