// Writes a Module as `kiln` dialect MLIR in generic op form (docs/ir.md).
#pragma once

#include <string>

#include "module.h"

namespace kiln::dsl::detail {

std::string write_mlir(const Module &m);

} // namespace kiln::dsl::detail
