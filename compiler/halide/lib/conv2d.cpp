// The convolution algorithms. They only say what is computed;
// conv2d_schedule.cpp says how.
#include "kiln/halide/conv2d.h"

#include "conv2d_common.h"
#include "kiln/halide/conv2d_winograd.h"

#include <stdexcept>
#include <string>

namespace kiln::halide {

using namespace Halide;

namespace {

int ceil_div(int a, int b) { return (a + b - 1) / b; }

void check(const Conv2dParams &p) {
  if (p.channels <= 0 || p.height <= 0 || p.width <= 0 || p.out_channels <= 0 ||
      p.kernel_h <= 0 || p.kernel_w <= 0 || p.stride_h <= 0 ||
      p.stride_w <= 0 || p.pad_h < 0 || p.pad_w < 0 || p.output_pad_h < 0 ||
      p.output_pad_w < 0) {
    throw std::invalid_argument("kiln: conv2d needs positive sizes and "
                                "strides and non-negative padding");
  }
}

} // namespace

namespace detail {

Func zero_border(const Func &x, const Conv2dParams &p,
                 const std::string &name) {
  Func f = BoundaryConditions::constant_exterior(
      x, cast(x.output_types().at(0), 0), {{0, p.width}, {0, p.height}});
  Func named(name);
  const Var a("a"), b("b"), c("c"), d("d");
  named(a, b, c, d) = f(a, b, c, d);
  return named;
}

Conv2d start(ConvKind kind, const Conv2dParams &p, const std::string &name) {
  check(p);
  Conv2d conv;
  conv.kind = kind;
  conv.p = p;
  conv.result = Func(name);
  const char *names[3][4] = {
      {"ow", "oh", "o", "n"}, {"ow", "oh", "o", "n"}, {"kw", "kh", "c", "o"}};
  for (const char *v : names[static_cast<int>(kind)]) {
    conv.vars.emplace_back(name + "_" + v);
  }
  conv.o_dim = kind == ConvKind::WeightGrad ? 3 : 2;
  return conv;
}

} // namespace detail

using detail::start;
using detail::zero_border;

Conv2d conv2d(const Func &x, const Func &w, const Conv2dParams &p,
              const Target &target) {
  if (winograd_applies(ConvKind::Forward, p, target)) {
    return conv2d_winograd(x, w, p);
  }
  const std::string name = Internal::unique_name("conv2d");
  Conv2d conv = start(ConvKind::Forward, p, name);
  conv.out_h = p.forward_out_h();
  conv.out_w = p.forward_out_w();
  conv.border = conv.input = zero_border(x, p, name + "_x");
  conv.per_channel = w;
  conv.r =
      RDom({{0, p.kernel_w}, {0, p.kernel_h}, {0, p.channels}}, name + "_r");
  const Var &ow = conv.vars[0], &oh = conv.vars[1], &o = conv.vars[2],
            &n = conv.vars[3];
  const RVar &kw = conv.r.x, &kh = conv.r.y, &c = conv.r.z;
  const Expr xv = conv.input(ow * p.stride_w - p.pad_w + kw,
                             oh * p.stride_h - p.pad_h + kh, c, n);
  conv.result(ow, oh, o, n) = cast(xv.type(), 0);
  conv.result(ow, oh, o, n) += xv * w(kw, kh, c, o);
  return conv;
}

Conv2d conv_transpose2d(const Func &x, const Func &w, const Conv2dParams &p,
                        const Target &target) {
  if (winograd_applies(ConvKind::Transpose, p, target)) {
    return conv_transpose2d_winograd(x, w, p, target);
  }
  const std::string name = Internal::unique_name("conv_transpose2d");
  Conv2d conv = start(ConvKind::Transpose, p, name);
  conv.out_h =
      (p.height - 1) * p.stride_h - 2 * p.pad_h + p.kernel_h + p.output_pad_h;
  conv.out_w =
      (p.width - 1) * p.stride_w - 2 * p.pad_w + p.kernel_w + p.output_pad_w;
  if (conv.out_h <= 0 || conv.out_w <= 0) {
    throw std::invalid_argument("kiln: conv_transpose2d result is empty");
  }
  conv.border = zero_border(x, p, name + "_x");
  {
    const Var u("u"), v("v"), c("c"), n("n");
    conv.input = Func(name + "_xs");
    conv.input(u, v, c, n) = conv.border((u + p.pad_w) / p.stride_w, v, c, n);
  }
  // w (kw, kh, o, c) with zeros for kh >= KH or kw >= KW: the gather below
  // steps through the taps of one output phase, ceil(K / s) of them.
  Func wpad = BoundaryConditions::constant_exterior(
      w, cast(w.output_types().at(0), 0), {{0, p.kernel_w}, {0, p.kernel_h}});
  conv.per_channel = Func(name + "_w");
  const Var u("a"), v("b"), s("c"), t("d");
  conv.per_channel(u, v, s, t) = wpad(u, v, s, t);
  conv.r = RDom({{0, ceil_div(p.kernel_w, p.stride_w)},
                 {0, ceil_div(p.kernel_h, p.stride_h)},
                 {0, p.channels}},
                name + "_r");
  const Var &j = conv.vars[0], &i = conv.vars[1], &o = conv.vars[2],
            &n = conv.vars[3];
  const RVar &b = conv.r.x, &a = conv.r.y, &c = conv.r.z;
  // i + ph >= 0, so / and % are the plain quotient and remainder.
  // input(j - sw b) is border((j + pw) / sw - b) (Halide's division rounds
  // down).
  const Expr qi = (i + p.pad_h) / p.stride_h, ri = (i + p.pad_h) % p.stride_h;
  const Expr rj = (j + p.pad_w) % p.stride_w;
  const Expr xv = conv.input(j - p.stride_w * b, qi - a, c, n);
  conv.result(j, i, o, n) = cast(xv.type(), 0);
  conv.result(j, i, o, n) +=
      xv * conv.per_channel(rj + p.stride_w * b, ri + p.stride_h * a, o, c);
  return conv;
}

Conv2d conv2d_weight_grad(const Func &x, const Func &dy, const Conv2dParams &p,
                          const Expr &batch, const Target &target) {
  if (winograd_applies(ConvKind::WeightGrad, p, target)) {
    return conv2d_weight_grad_winograd(x, dy, p, batch);
  }
  const std::string name = Internal::unique_name("conv2d_weight_grad");
  Conv2d conv = start(ConvKind::WeightGrad, p, name);
  const int oh_extent = p.forward_out_h();
  const int ow_extent = p.forward_out_w();
  conv.border = conv.input = zero_border(x, p, name + "_x");
  conv.per_channel = dy;
  conv.r = RDom({{0, ow_extent}, {0, oh_extent}, {0, batch}}, name + "_r");
  const Var &kw = conv.vars[0], &kh = conv.vars[1], &c = conv.vars[2],
            &o = conv.vars[3];
  const RVar &ow = conv.r.x, &oh = conv.r.y, &n = conv.r.z;
  const Expr xv = conv.input(ow * p.stride_w - p.pad_w + kw,
                             oh * p.stride_h - p.pad_h + kh, c, n);
  conv.result(kw, kh, c, o) = cast(xv.type(), 0);
  conv.result(kw, kh, c, o) += xv * dy(ow, oh, o, n);
  return conv;
}

} // namespace kiln::halide
