// Loop tiling, block sizes and vector sums shared by the CPU schedules
// (pointwise, reduction, row ops, matmul, convolutions; internal).
#pragma once

#include <Halide.h>

#include <optional>
#include <string>
#include <vector>

namespace kiln::halide::detail {

// Largest divisor of `n` that is at most `limit` and a multiple of `align`
// (0 when there is none): a block that divides its extent needs no tail.
inline int divisor_at_most(int n, int limit, int align = 1) {
  for (int d = n < limit ? n : limit; d >= 1; --d) {
    if (n % d == 0 && d % align == 0) {
      return d;
    }
  }
  return 0;
}

// The extent of dimension `dim` of out's (first) output buffer when the
// kernel declared it static (constrain_shape).
std::optional<int64_t> static_extent(const Halide::Func &out, int dim);

// Images per chunk of a weight gradient's reduction over images (the
// direct and the Winograd schedules): the chunk's operands, at
// `bytes_per_image` each image, within 2 MiB, about the L2 of two Zen 4
// cores, so that its products read them from cache; at least 2 images, a
// task each for 2 threads. The size is measured in
// conv2d_winograd_schedule.cpp.
inline int weight_grad_chunk_images(int64_t bytes_per_image) {
  constexpr int64_t kChunkBytes = int64_t(2) << 20;
  const int64_t images = kChunkBytes / bytes_per_image;
  return images < 2 ? 2 : images > 64 ? 64 : int(images);
}

// Elements of work (loads, adds) a parallel task should get. A parallel loop
// of one task costs nothing measurable, so this only bounds how finely work
// is spread; see pointwise_schedule.cpp.
inline constexpr int kTaskWork = 16384;

// `vars` (pure vars of one stage, innermost first as Halide lists them; not
// empty) fused into one loop, which is returned; the fused loops are named
// `name` followed by a number.
Halide::Var fuse_all(Halide::Stage s, const std::vector<Halide::Var> &vars,
                     const std::string &name);

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

// Fuses `rows` (pure vars of `out`, innermost first) into one loop split
// into parallel tasks of about kTaskWork / work_per_row rows. Returns the
// level inside that loop, where a row's statistics go (root when there are
// no rows: the statistics of the one row are computed once).
Halide::LoopLevel tile_rows(Halide::Func out,
                            const std::vector<Halide::Var> &rows,
                            int work_per_row);

// The lanes of the vector that sums a row of `extent` elements: a short
// static row (14 or 7 floats) is one vector of exactly its length. With a
// guarded split of 16 the partial sums were stored with a mask every row
// and reloaded whole, which stalls store forwarding (a [64, 64, 14, 14]
// mean took 0.30 ms on 1 thread, warm). Up to two vectors: with AVX2's 8
// lanes a 14-float row split 8 + masked 6 made the GAN's three BatchNorm
// sums over [64, 64, 14, 14] 0.63 ms per call against 0.15 as one 14-lane
// vector (AVX-512: 0.13-0.14 either way). Otherwise `vec`.
int row_lanes(const Halide::Expr &extent, int vec);

// Schedules `accum` (its identity, then one update combining over `r`, a
// sum or a maximum, which runs along its input's contiguous dimension) at
// `at`: `r` split into `lanes` partial results (rfactor) kept in one
// vector, whose lanes are then combined by one vector reduction (log2(lanes)
// shuffles), not a scalar loop: per-channel means of [64, 64, 14, 14] (one
// 14-float row per output) took 0.5 ms with the loop.
void sum_in_vectors(Halide::Func accum, const Halide::RVar &r, int lanes,
                    const Halide::LoopLevel &at);

} // namespace kiln::halide::detail
