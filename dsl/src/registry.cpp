#include "registry.h"

#include <fmt/format.h>

#include "builder.h"

namespace kiln::dsl::detail {
namespace {
// A function-local static, so registration works from any static
// initialiser regardless of translation-unit order.
std::vector<Registration> &models() {
  static std::vector<Registration> list;
  return list;
}
} // namespace

int register_model(const char *name, DefineFn define, Loc loc) {
  for (const Registration &r : models())
    if (r.name == name)
      fail(loc, fmt::format("KILN_MODEL: model '{}' is declared twice", name));
  models().push_back({name, define});
  return int(models().size());
}

const std::vector<Registration> &registered_models() { return models(); }

std::string generate(const Registration &r) {
  ModuleBuilder builder(r.name);
  r.define();
  return builder.mlir();
}

} // namespace kiln::dsl::detail
