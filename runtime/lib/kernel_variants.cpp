#include "kiln/runtime/kernel_variants.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/model.h"

#include <fmt/format.h>

#include <cstdlib>
#include <mutex>
#include <string>

// Weak, as in scratch.cpp: kiln_runtime does not link the Halide runtime;
// a program without kernels has no variants to choose from.
#pragma weak halide_can_use_target_features
#pragma weak halide_default_can_use_target_features
#pragma weak halide_set_custom_can_use_target_features

namespace kiln::rt {
namespace {

struct Restriction {
  std::mutex mutex;
  std::string target; // empty until KILN_CPU_TARGET was applied
  std::array<uint64_t, kFeatureWords> allowed{};
};

Restriction &restriction() {
  static Restriction r;
  return r;
}

// Installed by apply_cpu_target: a variant needing a feature outside the
// forced target's is refused; the rest is Halide's test. Written once,
// before any kernel runs, and only read afterwards.
int restricted_can_use(int count, const uint64_t *features) {
  const Restriction &r = restriction();
  for (int w = 0; w < count; ++w)
    if (features[w] & ~(w < kFeatureWords ? r.allowed[w] : 0))
      return 0;
  return halide_default_can_use_target_features(count, features);
}

std::string target_list(const ModelDesc &model) {
  std::string list;
  for (const KernelVariant &v : model.kernel_variants)
    list += fmt::format("{}{}", list.empty() ? "" : ", ", v.target);
  return list.empty() ? "no table of targets" : list;
}

bool have_halide_runtime() {
  return &halide_can_use_target_features != nullptr &&
         &halide_default_can_use_target_features != nullptr &&
         &halide_set_custom_can_use_target_features != nullptr;
}

} // namespace

bool cpu_runs(const KernelVariant &variant) {
  return have_halide_runtime() &&
         halide_default_can_use_target_features(kFeatureWords,
                                                variant.features.data()) != 0;
}

void apply_cpu_target(const ModelDesc &model) {
  const char *forced = std::getenv(kCpuTargetVariable);
  if (forced == nullptr || *forced == '\0')
    return;
  const KernelVariant *variant = nullptr;
  for (const KernelVariant &v : model.kernel_variants)
    if (v.target == forced)
      variant = &v;
  if (variant == nullptr)
    throw Error(fmt::format("{}={}: model '{}' has no kernels for that target "
                            "(it was built for: {}; kiln_add_model's "
                            "HALIDE_TARGET)",
                            kCpuTargetVariable, forced, model.name,
                            target_list(model)));
  if (!cpu_runs(*variant))
    throw Error(fmt::format("{}={}: this CPU cannot run kernels for that "
                            "target (it lacks some of its features)",
                            kCpuTargetVariable, forced));
  Restriction &r = restriction();
  std::lock_guard lock(r.mutex);
  if (r.target.empty()) {
    r.allowed = variant->features;
    r.target = forced;
    halide_set_custom_can_use_target_features(restricted_can_use);
  } else if (r.target != forced) {
    throw Error(fmt::format("{} changed from {} to {} while kernels were "
                            "running; a kernel picks its variant once",
                            kCpuTargetVariable, r.target, forced));
  }
}

size_t selected_kernel_variant(const ModelDesc &model) {
  const size_t n = model.kernel_variants.size();
  for (size_t i = 0; i + 1 < n; ++i)
    if (have_halide_runtime() &&
        halide_can_use_target_features(
            kFeatureWords, model.kernel_variants[i].features.data()) != 0)
      return i;
  return n == 0 ? 0 : n - 1;
}

std::string_view selected_kernel_target(const ModelDesc &model) {
  if (model.kernel_variants.empty())
    return {};
  return model.kernel_variants[selected_kernel_variant(model)].target;
}

} // namespace kiln::rt
