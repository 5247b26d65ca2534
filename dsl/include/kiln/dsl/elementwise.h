// Elementwise ops: unary math, binary ops with NumPy broadcasting, float
// scalars, and the operators + - * / and unary -.
//
//   auto h = relu(x);            // same type as x
//   auto y = x + bias;           // Tensor<B, 3> + Tensor<3> -> Tensor<B, 3>
//   auto s = 0.5f * x;           // kiln.constant tensor<f32> + kiln.mul
#pragma once

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {
namespace detail {

template <Unary U, auto... D>
Tensor<D...> unary_op(const Tensor<D...> &x, Loc loc) {
  return wrap<Tensor<D...>>(unary(U, Access::handle(x), shape_of<D...>(), loc),
                            loc);
}

template <class Op, Binary B, auto... DA, auto... DB>
auto binary_op(const Tensor<DA...> &a, const Tensor<DB...> &b, Loc loc) {
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
      binary(B, Access::handle(a), Access::handle(b), shape<R>(), loc), loc);
}

template <Binary B, auto... D>
Tensor<D...> scalar_op(const Tensor<D...> &x, float s, bool scalar_first,
                       Loc loc) {
  return wrap<Tensor<D...>>(binary_scalar(B, Access::handle(x), s, scalar_first,
                                          shape_of<D...>(), loc),
                            loc);
}

} // namespace detail

// Unary ops: same shape in and out.
#define KILN_DSL_UNARY(name)                                                   \
  template <auto... D>                                                         \
  Tensor<D...> name(const Tensor<D...> &x,                                     \
                    std::source_location loc =                                 \
                        std::source_location::current()) {                     \
    return detail::unary_op<detail::Unary::name>(x, loc);                      \
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
#undef KILN_DSL_UNARY

// Binary ops as named functions: tensor-tensor, tensor-float, float-tensor.
#define KILN_DSL_BINARY(name)                                                  \
  template <auto... DA, auto... DB>                                            \
  auto name(const Tensor<DA...> &a, const Tensor<DB...> &b,                    \
            std::source_location loc = std::source_location::current()) {      \
    return detail::binary_op<op::name, detail::Binary::name>(a, b, loc);       \
  }                                                                            \
  template <auto... D>                                                         \
  Tensor<D...> name(const Tensor<D...> &a, float s,                            \
                    std::source_location loc =                                 \
                        std::source_location::current()) {                     \
    return detail::scalar_op<detail::Binary::name>(a, s, false, loc);          \
  }                                                                            \
  template <auto... D>                                                         \
  Tensor<D...> name(float s, const Tensor<D...> &a,                            \
                    std::source_location loc =                                 \
                        std::source_location::current()) {                     \
    return detail::scalar_op<detail::Binary::name>(a, s, true, loc);           \
  }
KILN_DSL_BINARY(add)
KILN_DSL_BINARY(sub)
KILN_DSL_BINARY(mul)
KILN_DSL_BINARY(div)
KILN_DSL_BINARY(max)
KILN_DSL_BINARY(min)
#undef KILN_DSL_BINARY

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
    return detail::binary_op<op::name, detail::Binary::name>(                  \
        a, b, detail::Access::loc(a));                                         \
  }                                                                            \
  template <auto... D>                                                         \
  Tensor<D...> operator sym(const Tensor<D...> &a, detail::ScalarAt s) {       \
    return detail::scalar_op<detail::Binary::name>(a, s.value, false, s.loc);  \
  }                                                                            \
  template <auto... D>                                                         \
  Tensor<D...> operator sym(detail::ScalarAt s, const Tensor<D...> &a) {       \
    return detail::scalar_op<detail::Binary::name>(a, s.value, true, s.loc);   \
  }                                                                            \
  template <auto... DA, auto... DB>                                            \
  Tensor<DA...> &operator sym##=(Tensor<DA...> &a, Tensor<DB...> b) {          \
    using R = typename detail::Broadcast<Tensor<DA...>, Tensor<DB...>>::type;  \
    static_assert(std::is_same_v<R, Tensor<DA...>>,                            \
                  "compound assignment: the result must keep the left "        \
                  "operand's shape");                                          \
    a = detail::binary_op<op::name, detail::Binary::name>(                     \
        a, b, detail::Access::loc(b));                                         \
    return a;                                                                  \
  }                                                                            \
  template <auto... D>                                                         \
  Tensor<D...> &operator sym##=(Tensor<D...> &a, detail::ScalarAt s) {         \
    a = detail::scalar_op<detail::Binary::name>(a, s.value, false, s.loc);     \
    return a;                                                                  \
  }
KILN_DSL_OPERATOR(+, add)
KILN_DSL_OPERATOR(-, sub)
KILN_DSL_OPERATOR(*, mul)
KILN_DSL_OPERATOR(/, div)
#undef KILN_DSL_OPERATOR

template <auto... D> Tensor<D...> operator-(Tensor<D...> x) {
  return detail::unary_op<detail::Unary::neg>(x, detail::Access::loc(x));
}

} // namespace kiln::dsl
