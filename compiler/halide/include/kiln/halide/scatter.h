// Index reads for generated kernels: checked indices (gather, one_hot) and
// the scatter-add that is gather's gradient, with its schedule
// (schedule_scatter), kept apart as in Halide's apps.
#pragma once

#include <Halide.h>

#include <string>
#include <vector>

namespace kiln::halide {

// `index` when it lies in [0, size); otherwise the kernel stops with an
// error naming `what` and the index (halide_error_code_requirement_failed),
// so that no read or write goes outside a table. A GPU kernel cannot stop
// with a message (Halide 14's PTX has no error strings): for a GPU `target`
// the index is clamped into [0, size) instead, still never a wild read.
Halide::Expr checked_index(const Halide::Expr &index, int size,
                           const std::string &what,
                           const Halide::Target &target = {});

// Schedules a kernel whose output `out` is defined pointwise on `scatter`,
// a Func with a zero pure definition and one update that adds into rows
// chosen by indices. The update is serial over the indices (two may name
// the same row); it is vectorized along dimension 0 when
// `innermost_is_pure` (the row's own elements: an embedding's channels).
void schedule_scatter(Halide::Func scatter, Halide::Func out,
                      const std::vector<Halide::Var> &vars,
                      bool innermost_is_pure, const Halide::Target &target);

} // namespace kiln::halide
