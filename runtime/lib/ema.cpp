#include "kiln/runtime/ema.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <algorithm>

namespace kiln::rt {
namespace {

// The index of PARAM.ema for parameter `i`, or -1.
int64_t average_of(const ModelDesc &model, size_t i) {
  const std::string name = fmt::format("{}.ema", model.params[i].name);
  for (size_t j = 0; j < model.params.size(); ++j)
    if (model.params[j].role == ParamRole::state &&
        model.params[j].name == name)
      return int64_t(j);
  return -1;
}

} // namespace

int64_t ema_count(const ModelDesc &model) {
  int64_t n = 0;
  for (size_t i = 0; i < model.params.size(); ++i)
    n += model.params[i].role == ParamRole::parameter &&
         average_of(model, i) >= 0;
  return n;
}

void use_ema_weights(Session &session) {
  const ModelDesc &model = session.model();
  if (ema_count(model) == 0)
    throw Error(fmt::format("{} keeps no moving average of its weights (a "
                            "train entry point compiled with ema, "
                            "kiln/dsl/optim.h)",
                            model.name));
  ParamStore &params = session.params();
  for (size_t i = 0; i < model.params.size(); ++i) {
    if (model.params[i].role != ParamRole::parameter)
      continue;
    if (const int64_t j = average_of(model, i); j >= 0) {
      const Tensor &ema = params.at(size_t(j));
      std::copy(ema.values().begin(), ema.values().end(),
                params.at(i).values().begin());
    }
  }
}

} // namespace kiln::rt
