//===- Formula.h - a pointwise op's formula, written once -------*- C++ -*-===//
//
// A pointwise op states what it computes once, in its ODS definition
// (KilnOps.td), as a C++ expression over its operands' elements `x` (unary),
// `a`, `b` (binary) or `c`, `a`, `b` (select). The expression is a template
// over an algebra, and each algebra gives it one meaning:
//
//   double      the exact value, for the interpreter (the tests' reference);
//   HalideText  the C++ source of the Halide Expr a generated kernel
//               computes (HalideEmitter);
//
// Its vector-Jacobian product is written the same way, as a function body
// over IrValue, whose arithmetic builds kiln ops: the backward graph is
// ordinary IR (DESIGN.md decision 4).
//
// The functions a formula may call are the ones below; an algebra that
// lacks one makes the op's definition fail to compile, not a kernel to go
// wrong. Literals are doubles (`1.0 - y`, never `1 - y`), which each
// algebra turns into a constant of the operand's element type.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <array>
#include <cmath>
#include <concepts>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace kiln::formula {

//===----------------------------------------------------------------------===//
// double: the reference values
//===----------------------------------------------------------------------===//

using std::abs;
using std::cos;
using std::exp;
using std::log;
using std::sin;
using std::sqrt;
using std::tanh;
inline double max(double a, double b) { return a > b ? a : b; }
inline double min(double a, double b) { return a < b ? a : b; }
inline double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
/// 1 where x > 0, else 0.
inline double step(double x) { return x > 0 ? 1.0 : 0.0; }
/// Comparisons give 1 or 0 in the operands' element type.
inline double greater(double a, double b) { return a > b ? 1.0 : 0.0; }
inline double greater_equal(double a, double b) { return a >= b ? 1.0 : 0.0; }
inline double less(double a, double b) { return a < b ? 1.0 : 0.0; }
inline double less_equal(double a, double b) { return a <= b ? 1.0 : 0.0; }
inline double equal(double a, double b) { return a == b ? 1.0 : 0.0; }
inline double not_equal(double a, double b) { return a != b ? 1.0 : 0.0; }
/// `a` where c is non-zero, else `b`.
inline double select(double c, double a, double b) { return c != 0 ? a : b; }

//===----------------------------------------------------------------------===//
// HalideText: the source of a Halide Expr
//===----------------------------------------------------------------------===//

/// A Halide Expr as C++ source. `compound` marks an infix expression, which
/// gets parentheses when it becomes an operand of another.
struct HalideText {
  std::string text;
  bool f32 = true; // float, else double
  bool compound = false;
};

/// Operands of an algebra's functions: the algebra's own type, or a double
/// literal (at least one of them must be the algebra's type).
template <class T, class A>
inline constexpr bool is_algebra_v = std::is_same_v<std::remove_cvref_t<A>, T>;
template <class T, class A>
inline constexpr bool is_operand_v =
    is_algebra_v<T, A> || std::is_same_v<std::remove_cvref_t<A>, double>;
template <class T, class... A>
concept UsesAlgebra = (is_operand_v<T, A> && ...) &&
                      (is_algebra_v<T, A> || ...);

namespace detail {
/// The first of `args` that is a T (a formula's literals are doubles).
template <class T, class... A> const T &firstOf(const A &...args) {
  const T *found = nullptr;
  auto consider = [&](const auto &a) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(a)>, T>)
      if (!found)
        found = &a;
  };
  (consider(args), ...);
  return *found;
}
HalideText literal(double value, bool f32);
inline const HalideText &text(const HalideText &, const HalideText &v) {
  return v;
}
inline HalideText text(const HalideText &like, double v) {
  return literal(v, like.f32);
}
HalideText infix(const HalideText &a, const char *op, const HalideText &b);
} // namespace detail

#define KILN_HALIDE_INFIX(sym)                                                 \
  template <class A, class B>                                                  \
  requires UsesAlgebra<HalideText, A, B> HalideText operator sym(const A &a,   \
                                                                 const B &b) { \
    const HalideText &like = detail::firstOf<HalideText>(a, b);                \
    return detail::infix(detail::text(like, a), #sym, detail::text(like, b));  \
  }
KILN_HALIDE_INFIX(+)
KILN_HALIDE_INFIX(-)
KILN_HALIDE_INFIX(*)
KILN_HALIDE_INFIX(/)
#undef KILN_HALIDE_INFIX
HalideText operator-(const HalideText &x);

// Halide's own functions (exp, log and sqrt vectorize in Halide 14).
HalideText exp(const HalideText &x);
HalideText log(const HalideText &x);
HalideText sqrt(const HalideText &x);
HalideText abs(const HalideText &x);
HalideText sin(const HalideText &x);
HalideText cos(const HalideText &x);
// float32: the schedule library's vectorized versions
// (compiler/halide/include/kiln/halide/math.h); Halide 14's tanh calls libm
// once per element, ~40x slower.
HalideText tanh(const HalideText &x);
HalideText sigmoid(const HalideText &x);
HalideText step(const HalideText &x);

#define KILN_HALIDE_FUNCTION2(name)                                            \
  HalideText name##_text(const HalideText &a, const HalideText &b);            \
  template <class A, class B>                                                  \
  requires UsesAlgebra<HalideText, A, B> HalideText name(const A &a,           \
                                                         const B &b) {         \
    const HalideText &like = detail::firstOf<HalideText>(a, b);                \
    return name##_text(detail::text(like, a), detail::text(like, b));          \
  }
KILN_HALIDE_FUNCTION2(max)
KILN_HALIDE_FUNCTION2(min)
KILN_HALIDE_FUNCTION2(greater)
KILN_HALIDE_FUNCTION2(greater_equal)
KILN_HALIDE_FUNCTION2(less)
KILN_HALIDE_FUNCTION2(less_equal)
KILN_HALIDE_FUNCTION2(equal)
KILN_HALIDE_FUNCTION2(not_equal)
#undef KILN_HALIDE_FUNCTION2

HalideText select_text(const HalideText &c, const HalideText &a,
                       const HalideText &b);
template <class C, class A, class B>
requires UsesAlgebra<HalideText, C, A, B>
    HalideText select(const C &c, const A &a, const B &b) {
  const HalideText &like = detail::firstOf<HalideText>(c, a, b);
  return select_text(detail::text(like, c), detail::text(like, a),
                     detail::text(like, b));
}

//===----------------------------------------------------------------------===//
// IrValue: arithmetic that builds kiln ops (gradients)
//===----------------------------------------------------------------------===//

/// A value of the graph being built; operators and functions append kiln
/// ops at the builder's insertion point. A null IrValue is "no gradient".
class IrValue {
public:
  IrValue() = default;
  IrValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v)
      : b_(&b), loc_(loc), v_(v) {}
  mlir::Value value() const { return v_; }
  explicit operator bool() const { return bool(v_); }
  mlir::OpBuilder &builder() const { return *b_; }
  mlir::Location loc() const { return *loc_; }
  /// The same builder and location, another value.
  IrValue with(mlir::Value v) const { return IrValue(*b_, *loc_, v); }
  /// A scalar constant of this value's element type.
  IrValue constant(double value) const;

private:
  mlir::OpBuilder *b_ = nullptr;
  std::optional<mlir::Location> loc_;
  mlir::Value v_;
};

/// The kiln ops a gradient formula can build (Formula.cpp creates them).
enum class IrOp {
  add,
  sub,
  mul,
  div,
  neg,
  exp,
  log,
  sqrt,
  abs,
  sin,
  cos,
  tanh,
  sigmoid,
  step,
  select,
  min,
  max
};

namespace detail {
inline const IrValue &value(const IrValue &, const IrValue &v) { return v; }
inline IrValue value(const IrValue &like, double v) { return like.constant(v); }
IrValue build(IrOp op, llvm::ArrayRef<IrValue> operands);
} // namespace detail

#define KILN_IR_INFIX(sym, op)                                                 \
  template <class A, class B>                                                  \
  requires UsesAlgebra<IrValue, A, B> IrValue operator sym(const A &a,         \
                                                           const B &b) {       \
    const IrValue &like = detail::firstOf<IrValue>(a, b);                      \
    return detail::build(IrOp::op,                                             \
                         {detail::value(like, a), detail::value(like, b)});    \
  }
KILN_IR_INFIX(+, add)
KILN_IR_INFIX(-, sub)
KILN_IR_INFIX(*, mul)
KILN_IR_INFIX(/, div)
#undef KILN_IR_INFIX
inline IrValue operator-(const IrValue &x) {
  return detail::build(IrOp::neg, {x});
}
#define KILN_IR_FUNCTION1(name)                                                \
  inline IrValue name(const IrValue &x) {                                      \
    return detail::build(IrOp::name, {x});                                     \
  }
KILN_IR_FUNCTION1(exp)
KILN_IR_FUNCTION1(log)
KILN_IR_FUNCTION1(sqrt)
KILN_IR_FUNCTION1(abs)
KILN_IR_FUNCTION1(sin)
KILN_IR_FUNCTION1(cos)
KILN_IR_FUNCTION1(tanh)
KILN_IR_FUNCTION1(sigmoid)
KILN_IR_FUNCTION1(step)
#undef KILN_IR_FUNCTION1
template <class C, class A, class B>
requires UsesAlgebra<IrValue, C, A, B> IrValue select(const C &c, const A &a,
                                                      const B &b) {
  const IrValue &like = detail::firstOf<IrValue>(c, a, b);
  return detail::build(
      IrOp::select,
      {detail::value(like, c), detail::value(like, a), detail::value(like, b)});
}

#define KILN_IR_FUNCTION2(name)                                                \
  template <class A, class B>                                                  \
  requires UsesAlgebra<IrValue, A, B> IrValue name(const A &a, const B &b) {   \
    const IrValue &like = detail::firstOf<IrValue>(a, b);                      \
    return detail::build(IrOp::name,                                           \
                         {detail::value(like, a), detail::value(like, b)});    \
  }
KILN_IR_FUNCTION2(min)
KILN_IR_FUNCTION2(max)
#undef KILN_IR_FUNCTION2

/// Sums `g` over the dimensions along which a value of type `target` was
/// broadcast to produce it (the gradient of NumPy broadcasting).
mlir::Value sumToShape(mlir::OpBuilder &b, mlir::Location loc, mlir::Value g,
                       mlir::RankedTensorType target);

//===----------------------------------------------------------------------===//
// Applying an op's formula and gradient
//===----------------------------------------------------------------------===//

/// `Op::formula` on `x.size()` operand elements, in algebra T.
template <typename Op, typename T> T apply(llvm::ArrayRef<T> x) {
  if constexpr (requires(T v) { Op::formula(v); })
    return Op::formula(x[0]);
  else if constexpr (requires(T v) { Op::formula(v, v); })
    return Op::formula(x[0], x[1]);
  else
    return Op::formula(x[0], x[1], x[2]);
}

/// The Halide source of `Op::formula` on operand sources `x`.
template <typename Op>
std::string applyHalide(llvm::ArrayRef<std::string> x, bool f32) {
  llvm::SmallVector<HalideText, 3> t;
  for (const std::string &s : x)
    t.push_back({s, f32, false});
  return apply<Op, HalideText>(t).text;
}

/// Op::vjp(g, operands..., result): one gradient per operand (a single
/// IrValue for a unary op), each summed back to its operand's shape.
template <typename Op>
llvm::LogicalResult buildVjp(Op op, mlir::OpBuilder &b, mlir::Value g,
                             llvm::SmallVectorImpl<mlir::Value> &grads) {
  mlir::Location loc = op.getLoc();
  auto wrap = [&](mlir::Value v) { return IrValue(b, loc, v); };
  mlir::Operation *o = op.getOperation();
  auto parts = [&]<size_t... I>(std::index_sequence<I...>) {
    return Op::vjp(wrap(g), wrap(o->getOperand(I))..., wrap(o->getResult(0)));
  };
  auto result = [&] {
    if constexpr (requires(IrValue v) { Op::vjp(v, v, v); })
      return std::array<IrValue, 1>{parts(std::make_index_sequence<1>())};
    else if constexpr (requires(IrValue v) { Op::vjp(v, v, v, v); })
      return parts(std::make_index_sequence<2>());
    else
      return parts(std::make_index_sequence<3>());
  }();
  for (auto [i, grad] : llvm::enumerate(result))
    grads.push_back(grad ? sumToShape(b, loc, grad.value(),
                                      mlir::cast<mlir::RankedTensorType>(
                                          o->getOperand(i).getType()))
                         : mlir::Value());
  return mlir::success();
}

} // namespace kiln::formula

/// Brings the formula functions into a block scope, ahead of the op class's
/// own members (an op's formula is a member function body).
#define KILN_FORMULA_FUNCTIONS                                                 \
  using ::kiln::formula::abs;                                                  \
  using ::kiln::formula::cos;                                                  \
  using ::kiln::formula::equal;                                                \
  using ::kiln::formula::exp;                                                  \
  using ::kiln::formula::greater;                                              \
  using ::kiln::formula::greater_equal;                                        \
  using ::kiln::formula::less;                                                 \
  using ::kiln::formula::less_equal;                                           \
  using ::kiln::formula::log;                                                  \
  using ::kiln::formula::max;                                                  \
  using ::kiln::formula::min;                                                  \
  using ::kiln::formula::not_equal;                                            \
  using ::kiln::formula::select;                                               \
  using ::kiln::formula::sigmoid;                                              \
  using ::kiln::formula::sin;                                                  \
  using ::kiln::formula::sqrt;                                                 \
  using ::kiln::formula::step;                                                 \
  using ::kiln::formula::tanh;                                                 \
  using ::kiln::formula::IrValue
