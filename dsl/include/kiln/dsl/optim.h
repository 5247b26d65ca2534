// Optimizers of train entry points (docs/ir.md, "Training entry points").
//
//   train("train_step", &Vae::loss, Adam{.lr = 1e-3});
//   train("train_sgd", &Net::loss, Sgd{.lr = 0.05, .momentum = 0.9});
//   train("train_adamw", &Net::loss, AdamW{.lr = 1e-3});
//
// Plain aggregates with PyTorch's defaults, written as the entry point's
// `kiln.optimizer` attribute (every field, f64). The compiler's optimizer
// pass appends the update (DESIGN.md decision 5). Values are checked when
// the generator runs (lr > 0, betas in [0, 1), ...). `lr` is the default of
// the entry point's learning rate, a run-time value (`kiln train --lr`,
// `--lr-schedule`); clip_grad_norm > 0 clips the gradients' global norm
// first (torch.nn.utils.clip_grad_norm_). Exclude parameters from weight
// decay with train(...).no_decay("*.bias", "*norm*").
//
// ema = d in (0, 1) also keeps an exponential moving average of every
// parameter the entry point updates, in the state tensor PARAM.ema
// (checkpointed with the optimizer's state): the weights after the first
// step, then ema = d ema + (1 - d) w after each (torch.optim.swa_utils'
// AveragedModel with that decay). `--ema` on kiln's commands samples and
// evaluates with it. 0 (the default) keeps none.
#pragma once

#include <type_traits>

#include "kiln/dsl/graph_api.h"

namespace kiln::dsl {

// torch.optim.SGD: v = momentum * v + (g + weight_decay * p); p -= lr * v.
// PyTorch has no default learning rate: lr must be given (0 is rejected).
struct Sgd {
  double lr = 0;
  double momentum = 0;
  double weight_decay = 0;
  double clip_grad_norm = 0; // 0: no clipping
  double ema = 0;            // 0: no moving average of the weights
};

// torch.optim.Adam; weight_decay is L2, added to the gradient.
struct Adam {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  double clip_grad_norm = 0;
  double ema = 0;
};

// torch.optim.AdamW; weight_decay is decoupled: p -= lr * weight_decay * p.
struct AdamW {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
  double clip_grad_norm = 0;
  double ema = 0;
};

namespace detail {

inline OptimizerSpec optimizer_spec(const Sgd &o) {
  return {"sgd",
          5,
          {"lr", "momentum", "weight_decay", "clip_grad_norm", "ema"},
          {o.lr, o.momentum, o.weight_decay, o.clip_grad_norm, o.ema}};
}
inline OptimizerSpec optimizer_spec(const Adam &o) {
  return {
      "adam",
      7,
      {"lr", "beta1", "beta2", "eps", "weight_decay", "clip_grad_norm", "ema"},
      {o.lr, o.beta1, o.beta2, o.eps, o.weight_decay, o.clip_grad_norm, o.ema}};
}
inline OptimizerSpec optimizer_spec(const AdamW &o) {
  return {
      "adamw",
      7,
      {"lr", "beta1", "beta2", "eps", "weight_decay", "clip_grad_norm", "ema"},
      {o.lr, o.beta1, o.beta2, o.eps, o.weight_decay, o.clip_grad_norm, o.ema}};
}

template <class T>
inline constexpr bool is_optimizer_v =
    std::is_same_v<T, Sgd> || std::is_same_v<T, Adam> ||
    std::is_same_v<T, AdamW>;

template <class> inline constexpr bool always_false_v = false;

} // namespace detail
} // namespace kiln::dsl
