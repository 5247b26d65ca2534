// kiln info MODEL: the kernels' target on this CPU, parameters (shapes,
// initialisers, counts), optimizer state, buffers, and entry points.
#include "commands.h"
#include "describe.h"

#include "kiln/runtime/device.h"
#include "kiln/runtime/kernel_variants.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/tensor.h"

#include <fmt/ostream.h>

#include <algorithm>

namespace kiln::cli {

namespace {

// One table of tensors of `role`; returns their scalar count.
int64_t print_tensors(const rt::ModelDesc &model, rt::ParamRole role,
                      std::ostream &out) {
  size_t width = 0, shape_width = 0, count = 0;
  for (const rt::ParamDesc &p : model.params)
    if (p.role == role) {
      width = std::max(width, p.name.size());
      shape_width = std::max(shape_width, rt::shape_string(p.shape).size());
      ++count;
    }
  if (role == rt::ParamRole::parameter)
    fmt::print(out, "parameters ({}):\n", count);
  else if (count > 0 && role == rt::ParamRole::state)
    fmt::print(out, "optimizer state ({}, saved in checkpoints):\n", count);
  else if (count > 0)
    fmt::print(out,
               "buffers ({}, not saved: what kiln train sets per run, e.g. "
               "ENTRY.lr, and caches):\n",
               count);
  int64_t total = 0;
  for (const rt::ParamDesc &p : model.params) {
    if (p.role != role)
      continue;
    int64_t n = 1;
    for (int64_t d : p.shape)
      n *= d;
    total += n;
    fmt::print(out, "  {:<{}}  {:<{}}  {:>12}  {}\n", p.name, width,
               rt::shape_string(p.shape), shape_width, grouped(n),
               describe_init(p));
  }
  return total;
}

// Which of the model's kernel variants this CPU runs, as a run would
// (KILN_CPU_TARGET applied), and the others it has.
void print_kernel_target(const rt::ModelDesc &model, std::ostream &out) {
  if (model.kernel_variants.empty())
    return;
  rt::apply_cpu_target(model);
  const size_t chosen = rt::selected_kernel_variant(model);
  fmt::print(out, "kernels: {}\n", model.kernel_variants[chosen].target);
  if (model.kernel_variants.size() == 1)
    return;
  fmt::print(out, "  (one of {} variants, the first this CPU can run:\n",
             model.kernel_variants.size());
  for (size_t i = 0; i < model.kernel_variants.size(); ++i)
    fmt::print(out, "   {} {}\n", i == chosen ? "*" : " ",
               model.kernel_variants[i].target);
  fmt::print(out, "   {} restricts them)\n", rt::kCpuTargetVariable);
}

} // namespace

int info_command(const std::string &name, std::ostream &out) {
  const rt::ModelDesc &model = require_model(name);
  fmt::print(out, "model {}\n", model.name);
  print_kernel_target(model, out);
  std::string gpu;
  for (rt::Device d : {rt::Device::cuda, rt::Device::opencl})
    if (rt::has_kernels_for(model, d))
      gpu += fmt::format("{}{}", gpu.empty() ? "" : ", ", rt::device_name(d));
  fmt::print(out, "GPU kernels: {}\n",
             gpu.empty() ? "none" : gpu + " (kiln --device NAME runs them)");
  const int64_t total = print_tensors(model, rt::ParamRole::parameter, out);
  fmt::print(out, "total: {} scalars ({:.1f} MiB as fp32)\n", grouped(total),
             static_cast<double>(total) * 4 / (1 << 20));
  if (const int64_t state = print_tensors(model, rt::ParamRole::state, out))
    fmt::print(out, "state total: {} scalars ({:.1f} MiB as fp32)\n",
               grouped(state), static_cast<double>(state) * 4 / (1 << 20));
  print_tensors(model, rt::ParamRole::buffer, out);
  fmt::print(out, "entry points ({}):\n", model.entries.size());
  for (const rt::EntryDesc &e : model.entries)
    fmt::print(out, "  {}\n", describe(e));
  return kExitOk;
}

} // namespace kiln::cli
