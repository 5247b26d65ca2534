// Trainable parameters and layers.
//
//   Param<256> gain{"norm.weight", init::ones()};
//   Linear<784, 512> enc1{"encoder.0"};   // encoder.0.weight [512, 784],
//                                          // encoder.0.bias [512]
//
// A parameter is declared when it is constructed, i.e. when the model object
// is built by the generator; its name must be unique in the model. A Param is
// a Tensor, so it can be used directly in ops.
#pragma once

#include <string>
#include <string_view>

#include "kiln/dsl/linalg.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

// Initialiser of a parameter (docs/ir.md, "Initialisers").
struct Init {
  detail::InitKind kind;
  double a = 0, b = 0;
};

namespace init {
inline Init zeros() { return {detail::InitKind::zeros}; }
inline Init ones() { return {detail::InitKind::ones}; }
inline Init constant(double c) { return {detail::InitKind::constant, c}; }
inline Init uniform(double lo, double hi) {
  return {detail::InitKind::uniform, lo, hi};
}
inline Init normal(double mean, double stddev) {
  return {detail::InitKind::normal, mean, stddev};
}
// PyTorch's nn.Linear default for weight and bias: U(-1/sqrt(in), 1/sqrt(in)).
inline Init linear_default(int in_features) {
  double bound = detail::linear_init_bound(in_features);
  return uniform(-bound, bound);
}
} // namespace init

template <auto... D> class Param : public Tensor<D...> {
  static_assert(detail::all_static_v<D...>,
                "Param: parameter dimensions must be static sizes");

public:
  Param(std::string_view name, Init init,
        std::source_location loc = std::source_location::current())
      : Tensor<D...>(detail::FromHandle{},
                     detail::parameter(name, detail::shape_of<D...>(),
                                       init.kind, init.a, init.b, loc),
                     loc) {}
};

// A tensor the session keeps between calls, neither trained nor
// checkpointed, zeros at the start: a KV cache. Infer entry points write
// slices of it in place (write_slice, indices.h); reading it after a write
// in the same entry point reads the new value.
template <auto... D> class Buffer : public Tensor<D...> {
  static_assert(detail::all_static_v<D...>,
                "Buffer: buffer dimensions must be static sizes");

public:
  explicit Buffer(std::string_view name,
                  std::source_location loc = std::source_location::current())
      : Tensor<D...>(detail::FromHandle{},
                     detail::parameter(name, detail::shape_of<D...>(),
                                       detail::InitKind::zeros, 0, 0, loc,
                                       false, true),
                     loc) {}
};

// y = x W^T + b, like torch.nn.Linear(In, Out): initialised as PyTorch
// does, or as given (GPT-2's N(0, 0.02) weights and zero biases).
template <int In, int Out> class Linear {
public:
  explicit Linear(std::string_view name,
                  std::source_location loc = std::source_location::current())
      : Linear(name, init::linear_default(In), init::linear_default(In), loc) {}
  Linear(std::string_view name, Init weight_init, Init bias_init,
         std::source_location loc = std::source_location::current())
      : weight(std::string(name) + ".weight", weight_init, loc),
        bias(std::string(name) + ".bias", bias_init, loc) {}

  template <auto... D>
  auto
  operator()(const Tensor<D...> &x,
             std::source_location loc = std::source_location::current()) const {
    return detail::linear_op<Linear, In, Out>(x, detail::Access::handle(weight),
                                              detail::Access::handle(bias),
                                              true, loc);
  }

  Param<Out, In> weight;
  Param<Out> bias;
};

} // namespace kiln::dsl
