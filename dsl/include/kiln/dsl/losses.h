// Losses and helpers, written as compositions of existing ops but for
// cross_entropy (docs/dsl.md lists each formula).
//
//   square(x)                  x * x
//   bce_with_logits(x, t)      softplus(x) - x * t        elementwise
//   mse(a, b)                  (a - b)^2                  elementwise
//   gaussian_kl(mu, logvar)    -0.5 * sum(1 + logvar - mu^2 - exp(logvar))
//                              over the last axis: Tensor<B, 32> -> Tensor<B>
//   batch_mean(x)              mean over axis 0: Tensor<B> -> Scalar
//   leaky_relu(x, slope)       max(x, slope * x)          (slope <= 1)
//   log_softmax(x)             x - m - log(sum(exp(x - m))), m = amax(x),
//                              over the last axis (log_softmax<Axis>)
//   softmax(x)                 exp(log_softmax(x)) (softmax<Axis>)
//   cross_entropy_with_onehot(logits, onehot)
//                              -sum(onehot * log_softmax(logits)) over the
//                              last axis: Tensor<B, 10> -> Tensor<B>
//   cross_entropy(logits, ids) the same against targets as Ints, one op
//                              (kiln.cross_entropy, one kernel, its
//                              gradient one more): Tensor<B, T, 256>,
//                              Ints<B, T> -> Tensor<B, T>
//
// Every node of a composite carries the location of the call.
#pragma once

#include <type_traits>

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/elementwise.h"
#include "kiln/dsl/indices.h"
#include "kiln/dsl/reduce.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

namespace detail {
template <class A, class B>
inline constexpr bool broadcasts_v = Broadcast<A, B>::ok;
} // namespace detail

template <auto... D>
Tensor<D...>
square(const Tensor<D...> &x,
       std::source_location loc = std::source_location::current()) {
  return mul(x, x, loc);
}

// Binary cross-entropy of a Bernoulli with logits x against targets t in
// [0, 1], per element: -(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x)))
// = softplus(x) - x * t. kiln.softplus is computed stably, so this is finite
// for any x (PyTorch's binary_cross_entropy_with_logits, reduction='none').
template <auto... DX, auto... DT>
auto bce_with_logits(
    const Tensor<DX...> &logits, const Tensor<DT...> &target,
    std::source_location loc = std::source_location::current()) {
  using X = Tensor<DX...>;
  using T = Tensor<DT...>;
  constexpr bool shapes_broadcast = detail::broadcasts_v<X, T>;
  if constexpr (!shapes_broadcast) {
    static_assert(shapes_broadcast,
                  "bce_with_logits: logits and target shapes do not broadcast");
    ShapeMismatch<op::bce_with_logits, X, T> error;
    return Tensor<>{};
  } else {
    detail::check_broadcast("bce_with_logits", detail::Access::handle(logits),
                            detail::Access::handle(target), loc);
    auto sp = softplus(logits, loc);
    auto xt = mul(logits, target, loc);
    return sub(sp, xt, loc);
  }
}

// Squared error per element, (a - b)^2 (PyTorch's mse_loss with
// reduction='none'); reduce it with mean(...) or sum<...>(...).
template <auto... DA, auto... DB>
auto mse(const Tensor<DA...> &a, const Tensor<DB...> &b,
         std::source_location loc = std::source_location::current()) {
  using A = Tensor<DA...>;
  using B = Tensor<DB...>;
  constexpr bool shapes_broadcast = detail::broadcasts_v<A, B>;
  if constexpr (!shapes_broadcast) {
    static_assert(shapes_broadcast, "mse: operand shapes do not broadcast");
    ShapeMismatch<op::mse, A, B> error;
    return Tensor<>{};
  } else {
    detail::check_broadcast("mse", detail::Access::handle(a),
                            detail::Access::handle(b), loc);
    auto d = sub(a, b, loc);
    return mul(d, d, loc);
  }
}

// KL(N(mu, exp(logvar)) || N(0, I)) per row, summed over the last axis:
// -0.5 * sum(1 + logvar - mu^2 - exp(logvar)). mu and logvar must have the
// same type; the result drops the last axis (Tensor<B, 32> -> Tensor<B>).
template <auto... DM, auto... DL>
auto gaussian_kl(const Tensor<DM...> &mu, const Tensor<DL...> &logvar,
                 std::source_location loc = std::source_location::current()) {
  using M = Tensor<DM...>;
  using L = Tensor<DL...>;
  constexpr bool same_shape = std::is_same_v<M, L> && sizeof...(DM) >= 1;
  if constexpr (!same_shape) {
    static_assert(same_shape, "gaussian_kl: mu and logvar must have the same "
                              "shape, of rank 1 or more");
    ShapeMismatch<op::gaussian_kl, M, L> error;
    return Tensor<>{};
  } else {
    auto t = add(1.0f, logvar, loc);
    t = sub(t, square(mu, loc), loc);
    t = sub(t, exp(logvar, loc), loc);
    auto s = sum<-1>(t, loc);
    return mul(-0.5f, s, loc);
  }
}

// Mean over the batch (axis 0): Tensor<B> -> Scalar, Tensor<B, 3> ->
// Tensor<3>.
template <auto... D>
auto batch_mean(const Tensor<D...> &x,
                std::source_location loc = std::source_location::current()) {
  return mean<0>(x, loc);
}

// torch.nn.functional.leaky_relu(x, slope): x for x >= 0, slope * x
// otherwise; written max(x, slope * x) (min(...) for slope > 1).
template <auto... D>
Tensor<D...>
leaky_relu(const Tensor<D...> &x, float slope,
           std::source_location loc = std::source_location::current()) {
  auto scaled = mul(slope, x, loc);
  // Qualified: std::max(a, b, comp) would be found through source_location.
  return slope <= 1.0f ? kiln::dsl::max(x, scaled, loc)
                       : kiln::dsl::min(x, scaled, loc);
}

// torch.log_softmax(x, Axis), stable: with m = amax<Axis, true>(x),
// (x - m) - log(sum<Axis, true>(exp(x - m))).
template <int Axis = -1, auto... D>
auto log_softmax(const Tensor<D...> &x,
                 std::source_location loc = std::source_location::current()) {
  constexpr bool axis_in_range =
      detail::normalize_axis(Axis, sizeof...(D)) >= 0;
  if constexpr (!axis_in_range) {
    static_assert(axis_in_range, "log_softmax: axis out of range");
    ShapeMismatch<op::log_softmax<Axis>, Tensor<D...>> error;
    return x;
  } else {
    auto m = amax<Axis, true>(x, loc);
    Tensor<D...> z = sub(x, m, loc);
    auto lse = log(sum<Axis, true>(exp(z, loc), loc), loc);
    return Tensor<D...>(sub(z, lse, loc));
  }
}

// torch.softmax(x, Axis), from the stable log_softmax.
template <int Axis = -1, auto... D>
auto softmax(const Tensor<D...> &x,
             std::source_location loc = std::source_location::current()) {
  return exp(log_softmax<Axis>(x, loc), loc);
}

// Cross-entropy of logits against one-hot (or any probability) targets,
// per row: -sum(onehot * log_softmax(logits)) over the last axis
// (torch.nn.functional.cross_entropy(logits, onehot, reduction='none') for
// class-probability targets). logits and onehot must have the same type;
// the result drops the last axis: mean(...) is PyTorch's default reduction.
template <auto... DL, auto... DT>
auto cross_entropy_with_onehot(
    const Tensor<DL...> &logits, const Tensor<DT...> &onehot,
    std::source_location loc = std::source_location::current()) {
  using L = Tensor<DL...>;
  using T = Tensor<DT...>;
  constexpr bool same_shape = std::is_same_v<L, T> && sizeof...(DL) >= 1;
  if constexpr (!same_shape) {
    static_assert(same_shape, "cross_entropy_with_onehot: logits and onehot "
                              "must have the same shape, of rank 1 or more");
    ShapeMismatch<op::cross_entropy_with_onehot, L, T> error;
    return Tensor<>{};
  } else {
    auto lp = log_softmax<-1>(logits, loc);
    auto s = sum<-1>(mul(onehot, lp, loc), loc);
    return neg(s, loc);
  }
}

// Cross-entropy of logits [..., V] against integer targets [...] in
// [0, V) (torch.nn.functional.cross_entropy(logits, targets,
// reduction='none') with the classes last): one value per target. A target
// outside [0, V) stops the kernel with an error.
template <auto... DL, auto... DT>
auto cross_entropy(const Tensor<DL...> &logits, const Ints<DT...> &targets,
                   std::source_location loc = std::source_location::current()) {
  using L = Tensor<DL...>;
  constexpr bool ranks_fit = sizeof...(DL) == sizeof...(DT) + 1;
  if constexpr (!ranks_fit) {
    static_assert(ranks_fit, "cross_entropy: the logits must have the "
                             "targets' shape and one more axis, the classes");
    ShapeMismatch<op::cross_entropy, L, Ints<DT...>> error;
    return Tensor<>{};
  } else {
    constexpr int classes = detail::sizes_v<DL...>[sizeof...(DL) - 1];
    static_assert(classes > 0, "cross_entropy: the class axis (the logits' "
                               "last) must be a static size");
    return detail::wrap<Tensor<DT...>>(
        detail::cross_entropy(detail::Access::handle(logits),
                              detail::Access::handle(targets),
                              detail::shape_of<DT...>(), loc),
        loc);
  }
}

} // namespace kiln::dsl
