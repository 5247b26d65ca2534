// Text for models, entries and parameters, shared by list/info/run.
#pragma once

#include "kiln/runtime/model.h"

#include <cstdint>
#include <string>

namespace kiln::cli {

// "z [batch, 32]"
std::string describe(const rt::TensorDesc &tensor);
// "forward (infer): z [batch, 32] -> y [batch, 784]"
std::string describe(const rt::EntryDesc &entry);
// "normal(mean 0, std 0.02)"
std::string describe_init(const rt::ParamDesc &param);
// 1234567 -> "1,234,567": parameter counts are read by people.
std::string grouped(int64_t n);

} // namespace kiln::cli
