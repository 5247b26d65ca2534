// Batch normalisation and the state parameters it keeps.
//
//   BatchNorm1d<6272> bn1{"generator.1"};   // x [N, 6272]
//   BatchNorm2d<64> bn2{"generator.5"};     // x [N, 64, H, W]
//   auto y = bn2(x, Mode::train);           // see mode.h
//
// Parameters, with PyTorch's names: NAME.weight (ones) and NAME.bias
// (zeros), trained; NAME.running_mean (zeros) and NAME.running_var (ones),
// role = #kiln<role state>: not trained, updated by kiln.param_assign at the
// end of a train entry point (docs/ir.md). PyTorch's num_batches_tracked is not
// kept (it only matters for momentum = None).
#pragma once

#include <string>
#include <string_view>

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/mode.h"
#include "kiln/dsl/params.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

// A non-trainable parameter (role = #kiln<role state>), e.g. a running
// statistic. It is not a Tensor: read it with value() and give it a new value
// with assign(v). Within one entry point value() returns the last value
// assigned in it (else the stored value); the entry point ends with one
// kiln.param_assign of the final value, which only train entry points may
// do.
template <auto... D> class State {
  static_assert(detail::all_static_v<D...>,
                "State: state dimensions must be static sizes");

public:
  State(std::string_view name, Init init,
        std::source_location loc = std::source_location::current())
      : handle_(detail::parameter(name, detail::shape_of<D...>(), init.kind,
                                  init.a, init.b, loc, true)) {}

  Tensor<D...>
  value(std::source_location loc = std::source_location::current()) const {
    return detail::wrap<Tensor<D...>>(
        detail::state_read(handle_, "State::value", loc), loc);
  }
  void
  assign(const Tensor<D...> &v,
         std::source_location loc = std::source_location::current()) const {
    detail::state_assign(handle_, detail::Access::handle(v), "State::assign",
                         loc);
  }
  int handle() const { return handle_; }

private:
  int handle_;
};

struct BatchNormOptions {
  double eps = 1e-5;
  double momentum = 0.1; // running = (1 - momentum) running + momentum batch
};

namespace detail {

// BatchNorm1d (Spatial = false, x [N, C]) and BatchNorm2d (x [N, C, H, W]).
template <class Layer, bool Spatial, int C> class BatchNormBase {
public:
  BatchNormBase(std::string_view name, BatchNormOptions options, Loc loc)
      : weight(std::string(name) + ".weight", init::ones(), loc),
        bias(std::string(name) + ".bias", init::zeros(), loc),
        running_mean(std::string(name) + ".running_mean", init::zeros(), loc),
        running_var(std::string(name) + ".running_var", init::ones(), loc),
        name_(std::string(name)), options_(options) {}

  template <auto... D>
  auto
  operator()(const Tensor<D...> &x, Mode mode,
             std::source_location loc = std::source_location::current()) const {
    constexpr bool rank_ok = sizeof...(D) == (Spatial ? 4 : 2);
    if constexpr (!rank_ok) {
      static_assert(rank_ok, "BatchNorm1d takes [N, C], BatchNorm2d takes "
                             "[N, C, H, W]");
      ShapeMismatch<Layer, Tensor<D...>> error;
      return x;
    } else {
      constexpr bool channels_ok = may_equal(sizes_v<D...>[1], C);
      if constexpr (!channels_ok) {
        static_assert(channels_ok, "BatchNorm: the input's dimension 1 must "
                                   "equal the number of features");
        ShapeMismatch<Layer, Tensor<D...>> error;
      }
      std::string what =
          std::string(Spatial ? "BatchNorm2d<" : "BatchNorm1d<") +
          std::to_string(C) + "> '" + name_ + "'";
      return wrap<Tensor<D...>>(
          batch_norm(Access::handle(x), Access::handle(weight),
                     Access::handle(bias), running_mean.handle(),
                     running_var.handle(), int(mode), options_.eps,
                     options_.momentum, what, shape_of<D...>(), loc),
          loc);
    }
  }

  Param<C> weight;
  Param<C> bias;
  State<C> running_mean;
  State<C> running_var;

private:
  std::string name_;
  BatchNormOptions options_;
};

} // namespace detail

// torch.nn.BatchNorm1d(C) on [N, C]: statistics over axis 0.
template <int C>
class BatchNorm1d : public detail::BatchNormBase<BatchNorm1d<C>, false, C> {
public:
  explicit BatchNorm1d(
      std::string_view name, BatchNormOptions options = {},
      std::source_location loc = std::source_location::current())
      : detail::BatchNormBase<BatchNorm1d, false, C>(name, options, loc) {}
};

// torch.nn.BatchNorm2d(C) on [N, C, H, W]: statistics over axes 0, 2, 3.
template <int C>
class BatchNorm2d : public detail::BatchNormBase<BatchNorm2d<C>, true, C> {
public:
  explicit BatchNorm2d(
      std::string_view name, BatchNormOptions options = {},
      std::source_location loc = std::source_location::current())
      : detail::BatchNormBase<BatchNorm2d, true, C>(name, options, loc) {}
};

} // namespace kiln::dsl
