// Elementwise ops: unary math, binary ops with NumPy broadcasting, float
// scalars, comparisons, where(), and the operators + - * / and unary -.
//
//   auto h = relu(x);            // same type as x
//   auto y = x + bias;           // Tensor<B, 3> + Tensor<3> -> Tensor<B, 3>
//   auto s = 0.5f * x;           // kiln.constant tensor<f32> + kiln.mul
//   auto m = greater(x, 0.0f);   // 1 where x > 0, else 0
//   auto z = where(m, x, 0.0f);  // x where m is non-zero, else 0
//
// Each function is one line below naming a pointwise op of the dialect,
// whose formula and gradient live in its ODS definition (docs/ops.md).
#pragma once

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {
namespace detail {

template <auto... D>
Tensor<D...> unary_op(const char *name, const Tensor<D...> &x, Loc loc) {
  return wrap<Tensor<D...>>(
      unary(name, Access::handle(x), shape_of<D...>(), loc), loc);
}

template <class Op, auto... DA, auto... DB>
auto binary_op(const char *name, const Tensor<DA...> &a, const Tensor<DB...> &b,
               Loc loc) {
  using BC = Broadcast<Tensor<DA...>, Tensor<DB...>>;
  constexpr bool shapes_broadcast = BC::ok;
  if constexpr (!shapes_broadcast) {
    static_assert(shapes_broadcast,
                  "elementwise op: operand shapes do not broadcast (aligned "
                  "from the last dimension, static sizes must be equal or 1)");
    ShapeMismatch<Op, Tensor<DA...>, Tensor<DB...>> error;
  }
  using R = typename BC::type;
  return wrap<R>(
      binary(name, Access::handle(a), Access::handle(b), shape<R>(), loc), loc);
}

template <auto... D>
Tensor<D...> scalar_op(const char *name, const Tensor<D...> &x, float s,
                       bool scalar_first, Loc loc) {
  return wrap<Tensor<D...>>(binary_scalar(name, Access::handle(x), s,
                                          scalar_first, shape_of<D...>(), loc),
                            loc);
}

inline Scalar scalar_constant(float value, Loc loc) {
  return wrap<Scalar>(constant(&value, 1, shape_of<>(), loc), loc);
}

} // namespace detail

// Unary ops: same shape in and out.
#define KILN_DSL_UNARY(name)                                                   \
  template <auto... D>                                                         \
  Tensor<D...> name(const Tensor<D...> &x,                                     \
                    std::source_location loc =                                 \
                        std::source_location::current()) {                     \
    return detail::unary_op(#name, x, loc);                                    \
  }
KILN_DSL_UNARY(neg)
KILN_DSL_UNARY(relu)
KILN_DSL_UNARY(sigmoid)
KILN_DSL_UNARY(tanh)
KILN_DSL_UNARY(exp)
KILN_DSL_UNARY(log)
KILN_DSL_UNARY(softplus)
KILN_DSL_UNARY(sqrt)
KILN_DSL_UNARY(abs)
KILN_DSL_UNARY(sin)
KILN_DSL_UNARY(cos)
KILN_DSL_UNARY(silu) // x * sigmoid(x)
KILN_DSL_UNARY(gelu) // tanh approximation, PyTorch's approximate="tanh"
#undef KILN_DSL_UNARY

// Binary ops as named functions: tensor-tensor, tensor-float, float-tensor.
// Each also declares its tag op::name, which static shape errors name.
#define KILN_DSL_BINARY(name)                                                  \
  namespace op {                                                               \
  struct name;                                                                 \
  }                                                                            \
  template <auto... DA, auto... DB>                                            \
  auto name(const Tensor<DA...> &a, const Tensor<DB...> &b,                    \
            std::source_location loc = std::source_location::current()) {      \
    return detail::binary_op<op::name>(#name, a, b, loc);                      \
  }                                                                            \
  template <auto... D>                                                         \
  Tensor<D...> name(const Tensor<D...> &a, float s,                            \
                    std::source_location loc =                                 \
                        std::source_location::current()) {                     \
    return detail::scalar_op(#name, a, s, false, loc);                         \
  }                                                                            \
  template <auto... D>                                                         \
  Tensor<D...> name(float s, const Tensor<D...> &a,                            \
                    std::source_location loc =                                 \
                        std::source_location::current()) {                     \
    return detail::scalar_op(#name, a, s, true, loc);                          \
  }
KILN_DSL_BINARY(add)
KILN_DSL_BINARY(sub)
KILN_DSL_BINARY(mul)
KILN_DSL_BINARY(div)
KILN_DSL_BINARY(max)
KILN_DSL_BINARY(min)
// Comparisons: 1 where they hold, else 0 (no gradient).
KILN_DSL_BINARY(greater)
KILN_DSL_BINARY(greater_equal)
KILN_DSL_BINARY(less)
KILN_DSL_BINARY(less_equal)
KILN_DSL_BINARY(equal)
KILN_DSL_BINARY(not_equal)
#undef KILN_DSL_BINARY

// where(cond, a, b): a where cond is non-zero, else b (kiln.select), all
// three broadcast; a float operand is a scalar constant.
namespace op {
struct select;
}
template <auto... DC, auto... DA, auto... DB>
auto where(const Tensor<DC...> &cond, const Tensor<DA...> &a,
           const Tensor<DB...> &b,
           std::source_location loc = std::source_location::current()) {
  using CA = detail::Broadcast<Tensor<DC...>, Tensor<DA...>>;
  constexpr bool cond_broadcasts = CA::ok;
  if constexpr (!cond_broadcasts) {
    static_assert(cond_broadcasts, "where: cond and a do not broadcast");
    ShapeMismatch<op::select, Tensor<DC...>, Tensor<DA...>> error;
  } else {
    using BC = detail::Broadcast<typename CA::type, Tensor<DB...>>;
    constexpr bool all_broadcast = BC::ok;
    if constexpr (!all_broadcast) {
      static_assert(all_broadcast, "where: b does not broadcast with cond "
                                   "and a");
      ShapeMismatch<op::select, Tensor<DC...>, Tensor<DA...>, Tensor<DB...>>
          error;
    } else {
      using R = typename BC::type;
      return detail::wrap<R>(detail::select(detail::Access::handle(cond),
                                            detail::Access::handle(a),
                                            detail::Access::handle(b),
                                            detail::shape<R>(), loc),
                             loc);
    }
  }
}
template <auto... DC, auto... DA>
auto where(const Tensor<DC...> &cond, const Tensor<DA...> &a, float b,
           std::source_location loc = std::source_location::current()) {
  return where(cond, a, detail::scalar_constant(b, loc), loc);
}
template <auto... DC, auto... DB>
auto where(const Tensor<DC...> &cond, float a, const Tensor<DB...> &b,
           std::source_location loc = std::source_location::current()) {
  return where(cond, detail::scalar_constant(a, loc), b, loc);
}

// Operators cannot take a defaulted std::source_location parameter. Tensor
// operands are taken by value, so the copy records the location of the
// user's expression (see Tensor's copy constructor); float operands convert
// to ScalarAt, whose constructor records it.
namespace detail {
struct ScalarAt {
  ScalarAt(float v, Loc loc = Loc::current()) : value(v), loc(loc) {}
  float value;
  Loc loc;
};
} // namespace detail

#define KILN_DSL_OPERATOR(sym, name)                                           \
  template <auto... DA, auto... DB>                                            \
  auto operator sym(Tensor<DA...> a, Tensor<DB...> b) {                        \
    return detail::binary_op<op::name>(#name, a, b, detail::Access::loc(a));   \
  }                                                                            \
  template <auto... D>                                                         \
  Tensor<D...> operator sym(const Tensor<D...> &a, detail::ScalarAt s) {       \
    return detail::scalar_op(#name, a, s.value, false, s.loc);                 \
  }                                                                            \
  template <auto... D>                                                         \
  Tensor<D...> operator sym(detail::ScalarAt s, const Tensor<D...> &a) {       \
    return detail::scalar_op(#name, a, s.value, true, s.loc);                  \
  }                                                                            \
  template <auto... DA, auto... DB>                                            \
  Tensor<DA...> &operator sym##=(Tensor<DA...> &a, Tensor<DB...> b) {          \
    using R = typename detail::Broadcast<Tensor<DA...>, Tensor<DB...>>::type;  \
    static_assert(std::is_same_v<R, Tensor<DA...>>,                            \
                  "compound assignment: the result must keep the left "        \
                  "operand's shape");                                          \
    a = detail::binary_op<op::name>(#name, a, b, detail::Access::loc(b));      \
    return a;                                                                  \
  }                                                                            \
  template <auto... D>                                                         \
  Tensor<D...> &operator sym##=(Tensor<D...> &a, detail::ScalarAt s) {         \
    a = detail::scalar_op(#name, a, s.value, false, s.loc);                    \
    return a;                                                                  \
  }
KILN_DSL_OPERATOR(+, add)
KILN_DSL_OPERATOR(-, sub)
KILN_DSL_OPERATOR(*, mul)
KILN_DSL_OPERATOR(/, div)
#undef KILN_DSL_OPERATOR

template <auto... D> Tensor<D...> operator-(Tensor<D...> x) {
  return detail::unary_op("neg", x, detail::Access::loc(x));
}

} // namespace kiln::dsl
