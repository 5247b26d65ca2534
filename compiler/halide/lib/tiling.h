// Loop tiling shared by the pointwise and reduction schedules (internal).
#pragma once

#include <Halide.h>

#include <vector>

namespace kiln::halide::detail {

// Elements of work (loads, adds) a parallel task should get. A parallel loop
// of one task costs nothing measurable, so this only bounds how finely work
// is spread; see pointwise_schedule.cpp.
inline constexpr int kTaskWork = 16384;

// Splits vars[0] by `width` (vectorized when > 1; with ShiftInwards the
// caller guarantees extent >= width in this branch, GuardWithIf masks the
// lanes past the end), fuses the remaining loops into one and
// splits it into parallel tasks of about kTaskWork / work_per_point points.
// Returns the loop just outside the vector lanes (same name in every
// branch), where per-point producers are computed.
Halide::Var
tile_for_tasks(Halide::Stage s, const std::vector<Halide::Var> &vars, int width,
               const Halide::Expr &work_per_point,
               Halide::TailStrategy tail = Halide::TailStrategy::ShiftInwards);

} // namespace kiln::halide::detail
