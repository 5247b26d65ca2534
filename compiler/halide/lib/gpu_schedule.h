// GPU schedules of the generated kernels (internal): the same algorithms as
// the CPU schedules beside this file, mapped onto blocks and threads when
// the target has a GPU feature (cuda, opencl). Each schedule_* entry point
// of kernel_support calls its GPU counterpart here for such a target.
//
// Every Func that is not inlined gets GPU loops: a stage left on the host
// would read host memory, which the runtime does not keep current while a
// model runs on the device (docs/runtime.md, "Devices").
#pragma once

#include "kiln/halide/attention.h"
#include "kiln/halide/conv2d.h"
#include "kiln/halide/cross_entropy.h"
#include "kiln/halide/matmul.h"
#include "kiln/halide/normalization.h"
#include "kiln/halide/reduction.h"

#include <Halide.h>

#include <vector>

namespace kiln::halide::gpu {

// Threads per block of the one-dimensional schedules: 8 warps.
inline constexpr int kThreads = 256;

// Fuses `vars` (innermost first) into one loop and splits it into blocks of
// kThreads threads, consecutive threads on consecutive elements of vars[0]
// (coalesced loads and stores). A stage without vars runs on one GPU
// thread. Returns the thread loop, where per-point producers go.
Halide::Var tile_flat(Halide::Stage s, const std::vector<Halide::Var> &vars);

void schedule_pointwise(Halide::Func out, const std::vector<Halide::Var> &vars);
void schedule_reduction(Reduction &red, Halide::Func out,
                        const std::vector<Halide::Var> &vars);
void schedule_normalization(Normalization &n, Halide::Func out,
                            const std::vector<Halide::Var> &vars);
void schedule_cross_entropy(CrossEntropy &ce, Halide::Func out,
                            const std::vector<Halide::Var> &vars);
void schedule_matmul(Matmul &mm, Halide::Func out, const Halide::Var &inner,
                     const Halide::Var &outer,
                     const std::vector<Halide::Var> &batch);
void schedule_conv2d(Conv2d &conv, Halide::Func out,
                     const std::vector<Halide::Var> &vars);
void schedule_attention(Attention &att, Halide::Func out,
                        const std::vector<Halide::Var> &vars);
void schedule_scatter(Halide::Func scatter, Halide::Func out,
                      const std::vector<Halide::Var> &vars,
                      bool innermost_is_pure);

} // namespace kiln::halide::gpu
