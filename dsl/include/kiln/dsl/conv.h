// Convolutions (NCHW, PyTorch's layouts), pooling and flattening.
//
//   conv2d<2, 1>(x, w)             // stride 2, padding 1; x [N, C, H, W],
//                                  // w [O, C, K, K] -> [N, O, H', W']
//   conv_transpose2d<2, 1>(x, w)   // w [C, O, K, K] (PyTorch's layout)
//   Conv2d<1, 64, 4, 2, 1> c{"discriminator.0"};          // c(x)
//   ConvTranspose2d<128, 64, 4, 2, 1> t{"generator.4"};   // t(x)
//   max_pool2d<2>(x), avg_pool2d<2>(x)   // [N, C, H, W] -> [N, C, H/2, W/2]
//   flatten(x)                     // [N, C, H, W] -> [N, C*H*W]
//
// Stride, padding and kernel are square and part of the type, so the output
// size is known to the C++ compiler; channels, height and width must be
// static (the batch may be a symbol). A channel mismatch is a compile error
// that names the op or layer and both shapes.
#pragma once

#include <string>
#include <string_view>

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/params.h"
#include "kiln/dsl/reduce.h"
#include "kiln/dsl/shape_ops.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

template <int InChannels, int OutChannels, int Kernel, int Stride, int Padding>
class Conv2d;
template <int InChannels, int OutChannels, int Kernel, int Stride, int Padding>
class ConvTranspose2d;

namespace detail {

// Static shape logic of conv2d (Transposed = false, w [O, C, KH, KW]) and
// conv_transpose2d (w [C, O, KH, KW]).
template <bool Transposed, int S, int P, class X, class W> struct ConvCheck;
template <bool Transposed, int S, int P, auto... DX, auto... DW>
struct ConvCheck<Transposed, S, P, Tensor<DX...>, Tensor<DW...>> {
  static constexpr int x_at(int i) {
    if constexpr (sizeof...(DX) == 4)
      return sizes_v<DX...>[i];
    else
      return 0;
  }
  static constexpr int w_at(int i) {
    if constexpr (sizeof...(DW) == 4)
      return sizes_v<DW...>[i];
    else
      return 0;
  }
  static constexpr bool ranks_ok = sizeof...(DX) == 4 && sizeof...(DW) == 4;
  static constexpr bool static_ok = ranks_ok && x_at(1) > 0 && x_at(2) > 0 &&
                                    x_at(3) > 0 && all_static_v<DW...>;
  static constexpr int in = w_at(Transposed ? 0 : 1);
  static constexpr int out = w_at(Transposed ? 1 : 0);
  static constexpr bool channels_ok = static_ok && x_at(1) == in;
  static constexpr int out_size(int n, int k) {
    if (Transposed)
      return (n - 1) * S - 2 * P + k;
    return n + 2 * P - k < 0 ? 0 : (n + 2 * P - k) / S + 1;
  }
  static constexpr int oh = out_size(x_at(2), w_at(2));
  static constexpr int ow = out_size(x_at(3), w_at(3));
  static constexpr bool size_ok =
      channels_ok && S >= 1 && P >= 0 && oh >= 1 && ow >= 1;
  static auto make() {
    if constexpr (size_ok)
      return Tensor<nth<0, DX...>(), out, oh, ow>{};
    else
      return Tensor<>{};
  }
  using type = decltype(make());
};

// Op is the tag in errors: op::conv2d<S, P> or the layer's type.
template <class Op, bool Transposed, int S, int P, auto... DX, auto... DW>
auto conv_op(const Tensor<DX...> &x, const Tensor<DW...> &w, int bias,
             bool layer, Loc loc) {
  using C = ConvCheck<Transposed, S, P, Tensor<DX...>, Tensor<DW...>>;
  if constexpr (!C::ranks_ok) {
    static_assert(C::ranks_ok, "conv2d / conv_transpose2d: the input must be "
                               "4-D [N, C, H, W] and the weight 4-D");
    ShapeMismatch<Op, Tensor<DX...>, Tensor<DW...>> error;
    return Tensor<>{};
  } else if constexpr (!C::static_ok) {
    static_assert(C::static_ok, "conv2d / conv_transpose2d: channels, height "
                                "and width must be static sizes");
    ShapeMismatch<Op, Tensor<DX...>, Tensor<DW...>> error;
    return Tensor<>{};
  } else if constexpr (!C::channels_ok) {
    static_assert(C::channels_ok || Transposed,
                  "conv2d: the input's channels (dimension 1) must equal the "
                  "weight's in_channels (its dimension 1)");
    static_assert(C::channels_ok || !Transposed,
                  "conv_transpose2d: the input's channels (dimension 1) must "
                  "equal the weight's in_channels (its dimension 0)");
    ShapeMismatch<Op, Tensor<DX...>, Tensor<DW...>> error;
    return Tensor<>{};
  } else if constexpr (!C::size_ok) {
    static_assert(C::size_ok, "conv2d / conv_transpose2d: stride must be >= "
                              "1, padding >= 0, and the output not empty");
    ShapeMismatch<Op, Tensor<DX...>, Tensor<DW...>> error;
    return Tensor<>{};
  } else {
    using R = typename C::type;
    return wrap<R>(conv(Transposed, Access::handle(x), Access::handle(w), bias,
                        S, P, layer, shape<R>(), loc),
                   loc);
  }
}

template <class Op, Reduce R, int K, auto... D>
auto pool2d_op(const Tensor<D...> &x, Loc loc) {
  constexpr bool rank_ok = sizeof...(D) == 4;
  if constexpr (!rank_ok) {
    static_assert(rank_ok, "max_pool2d / avg_pool2d: the input must be 4-D "
                           "[N, C, H, W]");
    ShapeMismatch<Op, Tensor<D...>> error;
    return Tensor<>{};
  } else {
    constexpr int h = sizes_v<D...>[2], w = sizes_v<D...>[3];
    constexpr bool divisible =
        K >= 1 && h > 0 && w > 0 && h % K == 0 && w % K == 0;
    if constexpr (!divisible) {
      static_assert(divisible, "max_pool2d / avg_pool2d: height and width "
                               "must be static multiples of the kernel");
      ShapeMismatch<Op, Tensor<D...>> error;
      return Tensor<>{};
    } else {
      // [N, C, H/K, K, W/K, K], then reduce the two size-K axes.
      constexpr auto n = nth<0, D...>();
      constexpr auto c = nth<1, D...>();
      auto r = reshape<n, c, h / K, K, w / K, K>(x, loc);
      auto a = reduce_op<Op, R, 5, false>(r, loc);
      return reduce_op<Op, R, 3, false>(a, loc);
    }
  }
}

} // namespace detail

// Cross-correlation, like torch.nn.functional.conv2d(x, w, stride=Stride,
// padding=Padding): x [N, C, H, W], w [O, C, K, K] ->
// [N, O, (H + 2P - K) / S + 1, (W + 2P - K) / S + 1].
template <int Stride = 1, int Padding = 0, auto... DX, auto... DW>
auto conv2d(const Tensor<DX...> &x, const Tensor<DW...> &w,
            std::source_location loc = std::source_location::current()) {
  return detail::conv_op<op::conv2d<Stride, Padding>, false, Stride, Padding>(
      x, w, -1, false, loc);
}
// With a bias b [O], added as [O, 1, 1].
template <int Stride = 1, int Padding = 0, auto... DX, auto... DW, int O>
auto conv2d(const Tensor<DX...> &x, const Tensor<DW...> &w, const Tensor<O> &b,
            std::source_location loc = std::source_location::current()) {
  return detail::conv_op<op::conv2d<Stride, Padding>, false, Stride, Padding>(
      x, w, detail::Access::handle(b), false, loc);
}

// torch.nn.functional.conv_transpose2d(x, w, stride=Stride,
// padding=Padding): x [N, C, H, W], w [C, O, K, K] ->
// [N, O, (H - 1) S - 2P + K, (W - 1) S - 2P + K].
template <int Stride = 1, int Padding = 0, auto... DX, auto... DW>
auto conv_transpose2d(
    const Tensor<DX...> &x, const Tensor<DW...> &w,
    std::source_location loc = std::source_location::current()) {
  return detail::conv_op<op::conv_transpose2d<Stride, Padding>, true, Stride,
                         Padding>(x, w, -1, false, loc);
}
template <int Stride = 1, int Padding = 0, auto... DX, auto... DW, int O>
auto conv_transpose2d(
    const Tensor<DX...> &x, const Tensor<DW...> &w, const Tensor<O> &b,
    std::source_location loc = std::source_location::current()) {
  return detail::conv_op<op::conv_transpose2d<Stride, Padding>, true, Stride,
                         Padding>(x, w, detail::Access::handle(b), false, loc);
}

// torch.nn.Conv2d(In, Out, Kernel, Stride, Padding): weight [Out, In, K, K],
// bias [Out], both U(-1/sqrt(In K K), +1/sqrt(In K K)) (PyTorch's default).
template <int InChannels, int OutChannels, int Kernel, int Stride = 1,
          int Padding = 0>
class Conv2d {
public:
  explicit Conv2d(std::string_view name,
                  std::source_location loc = std::source_location::current())
      : weight(std::string(name) + ".weight",
               init::linear_default(InChannels * Kernel * Kernel), loc),
        bias(std::string(name) + ".bias",
             init::linear_default(InChannels * Kernel * Kernel), loc) {}

  template <auto... D>
  auto
  operator()(const Tensor<D...> &x,
             std::source_location loc = std::source_location::current()) const {
    return detail::conv_op<Conv2d, false, Stride, Padding>(
        x, weight, detail::Access::handle(bias), true, loc);
  }

  Param<OutChannels, InChannels, Kernel, Kernel> weight;
  Param<OutChannels> bias;
};

// torch.nn.ConvTranspose2d(In, Out, Kernel, Stride, Padding): weight
// [In, Out, K, K], bias [Out], both U(+-1/sqrt(Out K K)): PyTorch's fan_in
// is weight.size(1) * K * K.
template <int InChannels, int OutChannels, int Kernel, int Stride = 1,
          int Padding = 0>
class ConvTranspose2d {
public:
  explicit ConvTranspose2d(
      std::string_view name,
      std::source_location loc = std::source_location::current())
      : weight(std::string(name) + ".weight",
               init::linear_default(OutChannels * Kernel * Kernel), loc),
        bias(std::string(name) + ".bias",
             init::linear_default(OutChannels * Kernel * Kernel), loc) {}

  template <auto... D>
  auto
  operator()(const Tensor<D...> &x,
             std::source_location loc = std::source_location::current()) const {
    return detail::conv_op<ConvTranspose2d, true, Stride, Padding>(
        x, weight, detail::Access::handle(bias), true, loc);
  }

  Param<InChannels, OutChannels, Kernel, Kernel> weight;
  Param<OutChannels> bias;
};

// Non-overlapping pooling (kernel = stride = Kernel, no padding), like
// torch.nn.functional.max_pool2d(x, K) / avg_pool2d(x, K) when H and W are
// multiples of K: a kiln.reshape to [N, C, H/K, K, W/K, K] and a
// kiln.reduce_max / kiln.reduce_mean over axis 5, then axis 3.
template <int Kernel, auto... D>
auto max_pool2d(const Tensor<D...> &x,
                std::source_location loc = std::source_location::current()) {
  return detail::pool2d_op<op::max_pool2d<Kernel>, detail::Reduce::max, Kernel>(
      x, loc);
}
template <int Kernel, auto... D>
auto avg_pool2d(const Tensor<D...> &x,
                std::source_location loc = std::source_location::current()) {
  return detail::pool2d_op<op::avg_pool2d<Kernel>, detail::Reduce::mean,
                           Kernel>(x, loc);
}

// [N, D1, D2, ...] -> [N, D1 * D2 * ...] (torch.flatten(x, 1)); one
// kiln.reshape. The dimensions after the first must be static.
template <auto N, auto... D>
auto flatten(const Tensor<N, D...> &x,
             std::source_location loc = std::source_location::current()) {
  constexpr bool ok = sizeof...(D) >= 1 && detail::all_static_v<D...>;
  if constexpr (!ok) {
    static_assert(ok, "flatten: the input needs rank >= 2 and static "
                      "dimensions after the first");
    ShapeMismatch<op::flatten, Tensor<N, D...>> error;
    return x;
  } else {
    return reshape<N, (1 * ... * detail::size_of<D>())>(x, loc);
  }
}

} // namespace kiln::dsl
