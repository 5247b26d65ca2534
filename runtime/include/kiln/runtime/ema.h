// Moving averages of the weights: a train entry point compiled with
// `ema = d` (kiln/dsl/optim.h) keeps PARAM.ema, a state tensor next to each
// parameter it updates, checkpointed with the optimizer's state. Sampling
// and evaluating with the averages (kiln's --ema) copies them over the
// parameters of a session.
#pragma once

#include "kiln/runtime/session.h"

#include <cstdint>

namespace kiln::rt {

// How many parameters of `model` have a moving average.
int64_t ema_count(const ModelDesc &model);

// Copies each PARAM.ema over PARAM. Throws Error when the model keeps no
// averages. Parameters without one (not updated by an entry point that
// keeps them) stay as they are.
void use_ema_weights(Session &session);

} // namespace kiln::rt
