//===- Formula.cpp - the algebras of pointwise formulas -------------------===//
//
// See Formula.h. HalideText spells each function the way Halide 14 (and the
// schedule library's math.h) computes it best; IrValue maps each to the
// kiln op of that name.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Formula.h"
#include "kiln/Dialect/KilnOps.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln::formula {

//===----------------------------------------------------------------------===//
// HalideText
//===----------------------------------------------------------------------===//

namespace {

std::string operand(const HalideText &x) {
  return x.compound ? "(" + x.text + ")" : x.text;
}

HalideText atom(std::string text, bool f32) { return {std::move(text), f32}; }

HalideText fn(const char *name, const HalideText &x) {
  return atom(std::string(name) + "(" + x.text + ")", x.f32);
}

/// select(a OP b, 1, 0): a comparison as a 0/1 value of the element type.
HalideText compare(const HalideText &a, const char *op, const HalideText &b) {
  return atom("select(" + operand(a) + " " + op + " " + operand(b) + ", " +
                  detail::literal(1, a.f32).text + ", " +
                  detail::literal(0, a.f32).text + ")",
              a.f32);
}

} // namespace

HalideText detail::literal(double value, bool f32) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%a", value);
  return atom(f32 ? "Expr(" + s + "f)" : "Expr(" + s + ")", f32);
}

HalideText detail::infix(const HalideText &a, const char *op,
                         const HalideText &b) {
  return {operand(a) + " " + op + " " + operand(b), a.f32, true};
}

HalideText operator-(const HalideText &x) {
  return {"-" + operand(x), x.f32, true};
}

HalideText exp(const HalideText &x) { return fn("exp", x); }
HalideText log(const HalideText &x) { return fn("log", x); }
HalideText sqrt(const HalideText &x) { return fn("sqrt", x); }
HalideText abs(const HalideText &x) { return fn("abs", x); }
HalideText sin(const HalideText &x) { return fn("sin", x); }
HalideText cos(const HalideText &x) { return fn("cos", x); }

HalideText tanh(const HalideText &x) {
  return fn(x.f32 ? "kiln::halide::math::tanh" : "tanh", x);
}

HalideText sigmoid(const HalideText &x) {
  if (x.f32)
    return fn("kiln::halide::math::sigmoid", x);
  HalideText one = detail::literal(1, false);
  return one / (one + exp(-x));
}

HalideText step(const HalideText &x) {
  return compare(x, ">", detail::literal(0, x.f32));
}

HalideText max_text(const HalideText &a, const HalideText &b) {
  return atom("max(" + a.text + ", " + b.text + ")", a.f32);
}
HalideText min_text(const HalideText &a, const HalideText &b) {
  return atom("min(" + a.text + ", " + b.text + ")", a.f32);
}
HalideText greater_text(const HalideText &a, const HalideText &b) {
  return compare(a, ">", b);
}
HalideText greater_equal_text(const HalideText &a, const HalideText &b) {
  return compare(a, ">=", b);
}
HalideText less_text(const HalideText &a, const HalideText &b) {
  return compare(a, "<", b);
}
HalideText less_equal_text(const HalideText &a, const HalideText &b) {
  return compare(a, "<=", b);
}
HalideText equal_text(const HalideText &a, const HalideText &b) {
  return compare(a, "==", b);
}
HalideText not_equal_text(const HalideText &a, const HalideText &b) {
  return compare(a, "!=", b);
}

HalideText select_text(const HalideText &c, const HalideText &a,
                       const HalideText &b) {
  return atom("select(" + operand(c) + " != " + detail::literal(0, c.f32).text +
                  ", " + a.text + ", " + b.text + ")",
              a.f32);
}

//===----------------------------------------------------------------------===//
// IrValue
//===----------------------------------------------------------------------===//

IrValue IrValue::constant(double value) const {
  Type elem = cast<RankedTensorType>(v_.getType()).getElementType();
  auto type = RankedTensorType::get({}, elem);
  Attribute attr =
      elem.isF64() ? DenseElementsAttr::get(type, value)
                   : DenseElementsAttr::get(type, static_cast<float>(value));
  return with(b_->create<ConstantOp>(*loc_, cast<ElementsAttr>(attr)));
}

IrValue detail::build(IrOp op, llvm::ArrayRef<IrValue> x) {
  OpBuilder &b = x[0].builder();
  Location loc = x[0].loc();
  auto v = [&](size_t i) { return x[i].value(); };
  Value r;
  switch (op) {
  case IrOp::add:
    r = b.create<AddOp>(loc, v(0), v(1));
    break;
  case IrOp::sub:
    r = b.create<SubOp>(loc, v(0), v(1));
    break;
  case IrOp::mul:
    r = b.create<MulOp>(loc, v(0), v(1));
    break;
  case IrOp::div:
    r = b.create<DivOp>(loc, v(0), v(1));
    break;
  case IrOp::neg:
    r = b.create<NegOp>(loc, v(0));
    break;
  case IrOp::exp:
    r = b.create<ExpOp>(loc, v(0));
    break;
  case IrOp::log:
    r = b.create<LogOp>(loc, v(0));
    break;
  case IrOp::sqrt:
    r = b.create<SqrtOp>(loc, v(0));
    break;
  case IrOp::abs:
    r = b.create<AbsOp>(loc, v(0));
    break;
  case IrOp::sin:
    r = b.create<SinOp>(loc, v(0));
    break;
  case IrOp::cos:
    r = b.create<CosOp>(loc, v(0));
    break;
  case IrOp::tanh:
    r = b.create<TanhOp>(loc, v(0));
    break;
  case IrOp::sigmoid:
    r = b.create<SigmoidOp>(loc, v(0));
    break;
  case IrOp::step:
    r = b.create<StepOp>(loc, v(0));
    break;
  case IrOp::select:
    r = b.create<SelectOp>(loc, v(0), v(1), v(2));
    break;
  case IrOp::min:
    r = b.create<MinOp>(loc, v(0), v(1));
    break;
  case IrOp::max:
    r = b.create<MaxOp>(loc, v(0), v(1));
    break;
  }
  return x[0].with(r);
}

Value sumToShape(OpBuilder &b, Location loc, Value g, RankedTensorType target) {
  auto type = cast<RankedTensorType>(g.getType());
  while (type.getRank() > target.getRank()) {
    g = b.create<ReduceSumOp>(loc, g, 0, false);
    type = cast<RankedTensorType>(g.getType());
  }
  for (int64_t d = 0; d < target.getRank(); ++d)
    if (target.getDimSize(d) == 1 && type.getDimSize(d) != 1) {
      g = b.create<ReduceSumOp>(loc, g, d, true);
      type = cast<RankedTensorType>(g.getType());
    }
  return g;
}

} // namespace kiln::formula
