// kiln info MODEL: parameters (shapes, initialisers, counts) and entries.
#include "commands.h"
#include "describe.h"

#include "kiln/runtime/model.h"
#include "kiln/runtime/tensor.h"

#include <fmt/ostream.h>

#include <algorithm>

namespace kiln::cli {

int info_command(const std::string &name, std::ostream &out) {
  const rt::ModelDesc &model = require_model(name);
  int64_t total = 0;
  size_t width = 0, shape_width = 0;
  for (const rt::ParamDesc &p : model.params) {
    width = std::max(width, p.name.size());
    shape_width = std::max(shape_width, rt::shape_string(p.shape).size());
  }
  fmt::print(out, "model {}\n", model.name);
  fmt::print(out, "parameters ({}):\n", model.params.size());
  for (const rt::ParamDesc &p : model.params) {
    int64_t n = 1;
    for (int64_t d : p.shape)
      n *= d;
    total += n;
    fmt::print(out, "  {:<{}}  {:<{}}  {:>12}  {}\n", p.name, width,
               rt::shape_string(p.shape), shape_width, grouped(n),
               describe_init(p));
  }
  fmt::print(out, "total: {} scalars ({:.1f} MiB as fp32)\n", grouped(total),
             static_cast<double>(total) * 4 / (1 << 20));
  fmt::print(out, "entry points ({}):\n", model.entries.size());
  for (const rt::EntryDesc &e : model.entries)
    fmt::print(out, "  {}\n", describe(e));
  return kExitOk;
}

} // namespace kiln::cli
