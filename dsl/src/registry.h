// The models a generator program declares with KILN_MODEL.
#pragma once

#include <string>
#include <vector>

#include "kiln/dsl/model.h"

namespace kiln::dsl::detail {

struct Registration {
  std::string name;
  DefineFn define;
};

const std::vector<Registration> &registered_models();

// Builds the module of one registered model and returns its MLIR text.
std::string generate(const Registration &r);

} // namespace kiln::dsl::detail
