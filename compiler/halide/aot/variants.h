// Kernels compiled for several CPUs in one library: every kernel once per
// target under a suffixed name, and under its own name a dispatcher that
// calls the first variant whose features the running CPU has (Halide's
// multitarget scheme: halide_can_use_target_features, checked on the first
// call and cached; the last target is taken unconditionally).
#pragma once

#include <Halide.h>

#include <string>
#include <vector>

namespace kiln::halide::aot {

// The symbol of variant `index` of kernel `function`: function__v<index>.
std::string variant_name(const std::string &function, size_t index);

// The dispatcher `function(args...)` over the variants of `targets`
// (most specific first), compiled for the last, most general target.
Halide::Module
dispatcher_module(const std::string &function,
                  const std::vector<Halide::Internal::LoweredArgument> &args,
                  const std::vector<Halide::Target> &targets);

// C text for the kernels header: the macro KILN_KERNEL_VARIANTS_<name>
// expands to one initialiser {"target", {feature words...}} per target, in
// dispatch order, so that the runtime can report (and force) the variant a
// run uses with the same test the dispatchers make (kiln::rt::KernelVariant).
std::string variant_table(const std::string &name,
                          const std::vector<Halide::Target> &targets);

} // namespace kiln::halide::aot
