// The Winograd convolution algorithms (conv2d_winograd.h); only what is
// computed. conv2d_winograd_schedule.cpp says how.
#include "kiln/halide/conv2d_winograd.h"

#include "conv2d_common.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <numeric>
#include <vector>

namespace kiln::halide {

using namespace Halide;

namespace {

// F(4, 2) from the points 0, 1, -1, 2 and infinity (Toom-Cook). B^T's rows
// are scaled by 2, 2, 6, 6, 1 and G's rows by the inverse, which leaves
// every product unchanged and makes the input transform, done once per
// tile and channel, additions only. Largest relative error of a 256-channel
// tile in float32, measured against float64: 5.5e-6 (direct: 1.8e-7).
constexpr int kTile = 4;
constexpr double kBT[5][5] = {{2, -1, -2, 1, 0},
                              {0, 2, 1, -1, 0},
                              {0, -2, 3, -1, 0},
                              {0, -1, 0, 1, 0},
                              {0, 2, -1, -2, 1}};
constexpr double kG[5][2] = {{1.0 / 2, 0},
                             {1.0 / 2, 1.0 / 2},
                             {1.0 / 6, -1.0 / 6},
                             {1.0 / 6, 1.0 / 3},
                             {0, 1}};
constexpr double kAT[4][5] = {
    {1, 1, 1, 1, 0}, {0, 1, -1, 2, 0}, {0, 1, 1, 4, 0}, {0, 1, -1, 8, 1}};
// F(2, 4) from the same points, for the weight gradient (2 taps of a phase
// from 4 output gradients): the same B^T, G and A^T of its own, G's rows
// scaled as above. Measured error as for F(4, 2): 4.6e-6.
constexpr double kG24[5][4] = {{1.0 / 2, 0, 0, 0},
                               {1.0 / 2, 1.0 / 2, 1.0 / 2, 1.0 / 2},
                               {1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6},
                               {1.0 / 6, 1.0 / 3, 2.0 / 3, 4.0 / 3},
                               {0, 0, 0, 1}};
constexpr double kAT24[2][5] = {{1, 1, 1, 1, 0}, {0, 1, -1, 2, 1}};
// F(4, 3) from the points 0, 1, -1, 2, -2 and infinity (Lavin and Gray's
// choice), for stride-1 3x3 layers: 36 products per 4x4 output tile
// instead of 144. B^T is integer as it stands, so the input transform
// needs no scaling. Checked exactly (A^T [(G g) . (B^T d)] = the
// correlation of d with g); float32 error at 192 channels, emulated:
// ~8e-6 of the largest output (F(4, 2): ~3e-6, direct ~1e-6).
constexpr double kBT43[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0},
                                {0, 4, -4, -1, 1, 0}, {0, -2, -1, 2, 1, 0},
                                {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr double kG43[6][3] = {{1.0 / 4, 0, 0},
                               {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                               {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                               {1.0 / 24, 1.0 / 12, 1.0 / 6},
                               {1.0 / 24, -1.0 / 12, 1.0 / 6},
                               {0, 0, 1}};
constexpr double kAT43[4][6] = {{1, 1, 1, 1, 1, 0},
                                {0, 1, -1, 2, -2, 0},
                                {0, 1, 1, 4, 4, 0},
                                {0, 1, -1, 8, -8, 1}};
// F(3, 4) from the same points, for the weight gradient of a 3x3 layer (3
// taps from 4 output gradients, the 6-point input tiles of F(4, 3)): the
// same B^T; G's rows are F(4, 3)'s scalings of the powers of each point, A^T
// evaluates the taps' polynomial. Checked exactly as F(4, 3).
constexpr double kG34[6][4] = {{1.0 / 4, 0, 0, 0},
                               {-1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6},
                               {-1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6},
                               {1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3},
                               {1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3},
                               {0, 0, 0, 1}};
constexpr double kAT34[3][6] = {
    {1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 1}};

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// The point at infinity (the last of the 5, or of F(4, 3)'s 6) feeds only
// a tile's 4th output (A^T's last column is 0 but for it; F(3, 4)'s 3rd
// tap, a sum over all tiles), and the last row of G24 (G34) reads only the
// 4th output gradient of a tile. When the last tile runs past the end of
// `extent` outputs (extent % 4 != 0), that product is never used, or is 0.
// kInfinity is F(4, 2)'s.
constexpr int kInfinity = 4;
bool last_tile_skips_infinity(int extent) { return extent % kTile != 0; }

// Forward: the (tile, point) pairs along one axis whose products are used,
// numbered point-major (slot = point * tiles + tile), so that dropping the
// last tile's point at infinity drops the last slot: 9 slots for the GAN's
// 7 (= 4 + 3) outputs per phase, not 10, and 81 GEMMs per image, not 100.
int slot_count(int extent, int points) {
  const int tiles = ceil_div(extent, kTile);
  return points * tiles - (last_tile_skips_infinity(extent) ? 1 : 0);
}

// Transpose, along one axis: whether output phase e's product at (tile,
// point) feeds no output. The point 0 feeds only a tile's first row u = 4 t
// and the point at infinity only its last, u = 4 t + 3; phase e's outputs
// i = 2 u + e - pad in [0, extent) start at u = 1 when e < pad (the GAN's
// phase 0), and end before the last tile's last row when extent is short
// (its phase 1): 18 of 20 (phase, tile, point) products per axis are read.
Expr unread_transpose_products(const Var &e, const Var &tile, const Var &point,
                               int pad, int extent, int tiles) {
  Expr unread = Internal::const_false();
  for (int phase = 0; phase < 2; ++phase) {
    const int first = std::max(0, ceil_div(pad - phase, 2));
    const int last = (extent - 1 + pad - phase) / 2;
    if (first >= 1) {
      unread = unread || (e == phase && tile == 0 && point == 0);
    }
    if (last < kTile * tiles - 1) {
      unread =
          unread || (e == phase && tile == tiles - 1 && point == kInfinity);
    }
  }
  return unread;
}

// The slot of (tile, point) of `points`. The dropped pair reads the last
// slot instead: it feeds only an output past the end, which is never
// stored.
Expr slot(const Expr &tile, int point, int points, int tiles, int slots) {
  Expr s = point * tiles + tile;
  return point == points - 1 ? min(s, slots - 1) : s;
}

// Output channels come in multiples of this many: the transposed
// weights' channel blocks (a vector of any x86 target) divide it.
constexpr int kChannelMultiple = 16;

// The stride-2 4x4 layers F(4, 2) covers (any convolution kind).
bool stride2_shape(const Conv2dParams &p) {
  return p.kernel_h == 4 && p.kernel_w == 4 && p.stride_h == 2 &&
         p.stride_w == 2 && p.output_pad_h == 0 && p.output_pad_w == 0 &&
         p.out_channels % kChannelMultiple == 0;
}

// The stride-1 3x3 layers F(4, 3) covers: a convolution and its weight
// gradient (F(3, 4)), or a transposed one (a convolution with the kernel
// flipped, padding 2 - pad).
bool stride1_3x3_shape(ConvKind kind, const Conv2dParams &p) {
  return p.kernel_h == 3 && p.kernel_w == 3 && p.stride_h == 1 &&
         p.stride_w == 1 && p.output_pad_h == 0 && p.output_pad_w == 0 &&
         p.out_channels % kChannelMultiple == 0 &&
         (kind != ConvKind::Transpose || (p.pad_h <= 2 && p.pad_w <= 2));
}

// Bytes of the transformed input tiles v and the products m of one image
// that a task of F(4, 3) keeps (about C and O x slots x slots floats; v
// holds all 6 points of every tile, a little more) stay within this, near
// L2 (1 MiB on Zen 4); the GAN's F(4, 2) layers take 8 images per task
// (conv2d_winograd_schedule.cpp).
constexpr int64_t kTaskBytes = int64_t(1) << 20;
// Auto takes F(4, 3) from this many input channels: bench/conv_bench, 16
// -> 16 channels at 28x28, batch 64, 1 thread, Zen 4: Winograd 1.45-2.47
// ms against direct 2.83-5.68 over three runs (a CI build sharing the
// cores), faster in each.
constexpr int kStride1MinChannels = 16;

// sum_i coeff[i] * term(i), without the zero terms and the unit factors.
template <int N, typename Term>
Expr combine(const double (&coeff)[N], const Term &term) {
  Expr sum;
  for (int i = 0; i < N; ++i) {
    if (coeff[i] == 0) {
      continue;
    }
    Expr t = term(i);
    if (coeff[i] == -1) {
      sum = sum.defined() ? sum - t : -t;
      continue;
    }
    if (coeff[i] != 1) {
      t = Internal::make_const(t.type(), coeff[i]) * t;
    }
    sum = sum.defined() ? sum + t : t;
  }
  return sum;
}

// Row (sel_h, sel_w) of the 2-D transform rows (x) rows applied to
// term(iw, ih): sum_{ih, iw} rows[sel_h][ih] rows[sel_w][iw] term(iw, ih),
// one expression per row selected by mux (constants once a schedule
// unrolls sel_w and sel_h, and the zero terms are gone).
template <int R, int N, typename Term>
Expr transform2d(const double (&rows)[R][N], const Expr &sel_w,
                 const Expr &sel_h, const Term &term) {
  std::vector<Expr> by_h;
  for (int h = 0; h < R; ++h) {
    std::vector<Expr> by_w;
    for (int w = 0; w < R; ++w) {
      by_w.push_back(combine(rows[h], [&](int ih) {
        return combine(rows[w], [&](int iw) { return term(iw, ih); });
      }));
    }
    by_h.push_back(mux(sel_w, by_w));
  }
  return mux(sel_h, by_h);
}

Conv2d start_winograd(ConvKind kind, const Func &x, const Conv2dParams &p,
                      const std::string &name) {
  if (!stride2_shape(p) && !stride1_3x3_shape(kind, p)) {
    throw std::invalid_argument(
        "kiln: Winograd convolutions need a 4x4 kernel with stride 2, or "
        "a 3x3 kernel with stride 1 (padding at most 2 when transposed); no "
        "output padding, and output channels in multiples of " +
        std::to_string(kChannelMultiple));
  }
  Conv2d conv = detail::start(kind, p, name);
  conv.winograd = std::make_shared<WinogradStages>();
  WinogradStages &st = *conv.winograd;
  st.kind = kind;
  conv.border = detail::zero_border(x, p, name + "_x");
  st.xt = Func(name + "_xt");
  st.wt = Func(name + "_wt");
  st.u = Func(name + "_u");
  st.v = Func(name + "_v");
  st.m = Func(name + "_m");
  const Var c("c"), iw("iw"), ih("ih"), n("n");
  st.xt(c, iw, ih, n) = conv.border(iw, ih, c, n);
  return conv;
}

// st.v(c, bw, bh, tw, th, n, xw, xh): the input transform `bt` of phase
// (bw, bh) of x, x_b[m] = x[s m + b - p] for stride s (one phase when s is
// 1); tile t reads x_b[4 t .. 4 t + P - 1].
template <int P>
void define_phase_tiles(WinogradStages &st, const Conv2dParams &p,
                        const double (&bt)[P][P], int s) {
  const Var c("c"), bw("bw"), bh("bh"), xw("xw"), xh("xh"), tw("tw"), th("th"),
      n("n");
  st.v(c, bw, bh, tw, th, n, xw, xh) =
      transform2d(bt, xw, xh, [&](int mw, int mh) {
        return st.xt(c, s * (kTile * tw + mw) + bw - p.pad_w,
                     s * (kTile * th + mh) + bh - p.pad_h, n);
      });
}

// The forward convolution of x with st.wt(o, kw, kh, c), stride s in
// {1, 2}, as F(4, R) over the s x s phases (conv2d_winograd.h): u, v, the
// GEMMs m per slot and the output transform, into conv.result. conv.out_w
// and conv.out_h are set.
template <int P, int R>
void define_forward(Conv2d &conv, const Conv2dParams &p,
                    const double (&bt)[P][P], const double (&g)[P][R],
                    const double (&at)[kTile][P], int s,
                    const std::string &name) {
  WinogradStages &st = *conv.winograd;
  st.tiles_h = ceil_div(conv.out_h, kTile);
  st.tiles_w = ceil_div(conv.out_w, kTile);
  st.stride = s;
  st.points = P;
  const Var o("o"), c("c"), bw("bw"), bh("bh"), xw("xw"), xh("xh");
  // Phase (bw, bh) of the weights: the taps (s aw + bw, s ah + bh).
  st.u(o, c, bw, bh, xw, xh) = transform2d(g, xw, xh, [&](int aw, int ah) {
    return st.wt(o, s * aw + bw, s * ah + bh, c);
  });
  define_phase_tiles(st, p, bt, s);
  st.slots_w = slot_count(conv.out_w, P);
  st.slots_h = slot_count(conv.out_h, P);
  st.rk = RDom({{0, p.channels}, {0, s}, {0, s}}, name + "_rk");
  const Type t = conv.border.output_types().at(0);
  const Var sw("sw"), sh("sh"), n("n");
  const int tw_n = st.tiles_w, th_n = st.tiles_h;
  st.m(o, sw, sh, n) = cast(t, 0);
  st.m(o, sw, sh, n) +=
      st.u(o, st.rk.x, st.rk.y, st.rk.z, sw / tw_n, sh / th_n) *
      st.v(st.rk.x, st.rk.y, st.rk.z, sw % tw_n, sh % th_n, n, sw / tw_n,
           sh / th_n);

  const Var &ow = conv.vars[0], &oh = conv.vars[1], &oo = conv.vars[2],
            &on = conv.vars[3];
  conv.result(ow, oh, oo, on) =
      transform2d(at, ow % kTile, oh % kTile, [&](int pw, int ph) {
        return st.m(oo, slot(ow / kTile, pw, P, tw_n, st.slots_w),
                    slot(oh / kTile, ph, P, th_n, st.slots_h), on);
      });
}

// Images per task for F(4, 3): v and m of one image within kTaskBytes.
int f43_images_per_task(const Conv2d &conv) {
  const WinogradStages &st = *conv.winograd;
  const int64_t per_image = int64_t(conv.p.channels + conv.p.out_channels) *
                            st.slots_w * st.slots_h * 4;
  return int(std::clamp<int64_t>(kTaskBytes / per_image, 1, 8));
}

// The weight gradient of a stride-s layer with out_w x out_h outputs
// (conv2d_winograd.h): per input phase, the correlation of its tiles with
// 4x4 tiles of dy as F(R, 4) (R taps a phase), summed over tiles and
// images in the transformed domain, into conv.result.
template <int P, int R>
void define_weight_grad(Conv2d &conv, const Conv2dParams &p, const Func &dy,
                        const Expr &batch, int out_w, int out_h,
                        const double (&bt)[P][P], const double (&g)[P][kTile],
                        const double (&at)[R][P], int s,
                        const std::string &name) {
  WinogradStages &st = *conv.winograd;
  st.stride = s;
  st.points = P;
  st.tiles_h = ceil_div(out_h, kTile);
  st.tiles_w = ceil_div(out_w, kTile);
  const Var o("o"), iw("iw"), ih("ih"), xw("xw"), xh("xh"), tw("tw"), th("th"),
      n("n"), c("c"), bw("bw"), bh("bh");
  // dy with zeros past its last tile.
  const Type t = conv.border.output_types().at(0);
  Func dyb = BoundaryConditions::constant_exterior(dy, cast(t, 0),
                                                   {{0, out_w}, {0, out_h}});
  st.wt(o, iw, ih, n) = dyb(iw, ih, o, n);
  // Tile t of dy: rows 4 t .. 4 t + 3, the "kernel" of F(R, 4).
  st.u(o, tw, th, n, xw, xh) = transform2d(g, xw, xh, [&](int rw, int rh) {
    return st.wt(o, kTile * tw + rw, kTile * th + rh, n);
  });
  define_phase_tiles(st, p, bt, s);
  st.rk = RDom({{0, st.tiles_w}, {0, st.tiles_h}, {0, batch}}, name + "_rk");
  // The last tile's product at infinity is 0 when its 4th row of dy is
  // past the end: 81 of 100 products per tile row and column for the
  // GAN's 7 x 7 dy.
  const int infinity = P - 1;
  if (last_tile_skips_infinity(out_w)) {
    st.rk.where(st.rk.x < st.tiles_w - 1 || xw != infinity);
  }
  if (last_tile_skips_infinity(out_h)) {
    st.rk.where(st.rk.y < st.tiles_h - 1 || xh != infinity);
  }
  st.m(o, c, bw, bh, xw, xh) = cast(t, 0);
  st.m(o, c, bw, bh, xw, xh) +=
      st.u(o, st.rk.x, st.rk.y, st.rk.z, xw, xh) *
      st.v(c, bw, bh, st.rk.x, st.rk.y, st.rk.z, xw, xh);

  // Tap k = s a + b of phase b.
  const Var &kw = conv.vars[0], &kh = conv.vars[1], &rc = conv.vars[2],
            &ro = conv.vars[3];
  conv.result(kw, kh, rc, ro) =
      transform2d(at, kw / s, kh / s, [&](int pw, int ph) {
        return st.m(ro, rc, kw % s, kh % s, pw, ph);
      });
}

} // namespace

bool winograd_applies(ConvKind kind, const Conv2dParams &p,
                      const Target &target) {
  switch (p.algorithm) {
  case ConvAlgorithm::Direct:
    return false;
  case ConvAlgorithm::Winograd:
    return true; // start_winograd rejects a shape it cannot do
  case ConvAlgorithm::Auto:
    break;
  }
  if (target.has_gpu_feature()) {
    return false;
  }
  return (stride2_shape(p) && p.channels >= 16) ||
         (stride1_3x3_shape(kind, p) && p.channels >= kStride1MinChannels);
}

Conv2d conv2d_winograd(const Func &x, const Func &w, const Conv2dParams &p) {
  const std::string name = Internal::unique_name("conv2d_winograd");
  Conv2d conv = start_winograd(ConvKind::Forward, x, p, name);
  WinogradStages &st = *conv.winograd;
  conv.out_h = p.forward_out_h();
  conv.out_w = p.forward_out_w();
  if (conv.out_h <= 0 || conv.out_w <= 0) {
    throw std::invalid_argument("kiln: conv2d result is empty");
  }
  const Var o("o"), c("c"), kw("kw"), kh("kh");
  st.wt(o, kw, kh, c) = w(kw, kh, c, o);
  if (p.stride_w == 2) {
    define_forward(conv, p, kBT, kG, kAT, 2, name);
  } else {
    define_forward(conv, p, kBT43, kG43, kAT43, 1, name);
    st.images_per_task = f43_images_per_task(conv);
  }
  return conv;
}

Conv2d conv_transpose2d_winograd(const Func &x, const Func &w,
                                 const Conv2dParams &p, const Target &target) {
  const std::string name = Internal::unique_name("conv_transpose2d_winograd");
  Conv2d conv = start_winograd(ConvKind::Transpose, x, p, name);
  WinogradStages &st = *conv.winograd;
  conv.out_h = (p.height - 1) * p.stride_h - 2 * p.pad_h + p.kernel_h;
  conv.out_w = (p.width - 1) * p.stride_w - 2 * p.pad_w + p.kernel_w;
  if (conv.out_h <= 0 || conv.out_w <= 0) {
    throw std::invalid_argument("kiln: conv_transpose2d result is empty");
  }
  if (p.stride_w == 1) {
    // A stride-1 transposed convolution is the convolution with the kernel
    // flipped (w is [C, O, 3, 3]) and padding 2 - p: its schedule is the
    // forward one.
    const Var o("o"), c("c"), kw("kw"), kh("kh");
    st.wt(o, kw, kh, c) = w(2 - kw, 2 - kh, o, c);
    Conv2dParams q = p;
    q.pad_w = 2 - p.pad_w;
    q.pad_h = 2 - p.pad_h;
    st.kind = ConvKind::Forward;
    define_forward(conv, q, kBT43, kG43, kAT43, 1, name);
    st.images_per_task = f43_images_per_task(conv);
    return conv;
  }
  // Output row i (i + p = 2 u + e) is row u of phase e: u < U.
  st.tiles_h = ceil_div((conv.out_h - 1 + p.pad_h) / 2 + 1, kTile);
  st.tiles_w = ceil_div((conv.out_w - 1 + p.pad_w) / 2 + 1, kTile);

  const Var o("o"), c("c"), kw("kw"), kh("kh"), ew("ew"), eh("eh"), xw("xw"),
      xh("xh"), tw("tw"), th("th"), n("n"), oi("oi"), ob("ob");
  st.wt(o, kw, kh, c) = w(kw, kh, o, c); // w is [C, O, KH, KW]
  // A vector of the target, which divides the output channels (multiples
  // of kChannelMultiple: stride2_shape). A target left unknown takes
  // AVX-512's.
  const Type t = x.output_types().at(0);
  const int block =
      target.has_unknowns() ? kChannelMultiple : target.natural_vector_size(t);
  st.channel_block = std::gcd(block, kChannelMultiple);
  // Output phase e: z_e[u] = sum_a x[u - 1 + a] w[2 (1 - a) + e].
  const int cb = st.channel_block;
  st.u(oi, ew, eh, c, ob, xw, xh) =
      transform2d(kG, xw, xh, [&](int aw, int ah) {
        return st.wt(ob * cb + oi, 2 * (1 - aw) + ew, 2 * (1 - ah) + eh, c);
      });
  // Tile t reads x[4 t - 1 .. 4 t + 3].
  st.v(c, tw, th, n, xw, xh) = transform2d(kBT, xw, xh, [&](int mw, int mh) {
    return st.xt(c, kTile * tw + mw - 1, kTile * th + mh - 1, n);
  });
  st.rk = RDom({{0, p.channels}}, name + "_rk");
  const auto [block_w, block_h] = transpose_block_tiles(st.tiles_w, st.tiles_h);
  Expr unread = Internal::const_false();
  if (block_w == st.tiles_w) {
    unread =
        unread_transpose_products(ew, tw, xw, p.pad_w, conv.out_w, st.tiles_w);
  }
  if (block_h == st.tiles_h) {
    unread = unread || unread_transpose_products(eh, th, xh, p.pad_h,
                                                 conv.out_h, st.tiles_h);
  }
  if (!Internal::is_const_zero(unread)) {
    st.rk.where(!unread);
  }
  st.m(o, ew, eh, tw, th, n, xw, xh) = cast(t, 0);
  st.m(o, ew, eh, tw, th, n, xw, xh) +=
      st.u(o % cb, ew, eh, st.rk.x, o / cb, xw, xh) *
      st.v(st.rk.x, tw, th, n, xw, xh);

  const Var &j = conv.vars[0], &i = conv.vars[1], &oo = conv.vars[2],
            &on = conv.vars[3];
  // j + p >= 0, so / and % are the plain quotient and remainder.
  const Expr qj = j + p.pad_w, qi = i + p.pad_h;
  const Expr uj = qj / 2, ui = qi / 2;
  conv.result(j, i, oo, on) =
      transform2d(kAT, uj % kTile, ui % kTile, [&](int pw, int ph) {
        return st.m(oo, qj % 2, qi % 2, uj / kTile, ui / kTile, on, pw, ph);
      });
  return conv;
}

Conv2d conv2d_weight_grad_winograd(const Func &x, const Func &dy,
                                   const Conv2dParams &p, const Expr &batch) {
  const std::string name = Internal::unique_name("conv2d_weight_grad_winograd");
  Conv2d conv = start_winograd(ConvKind::WeightGrad, x, p, name);
  const int out_h = p.forward_out_h();
  const int out_w = p.forward_out_w();
  if (out_h <= 0 || out_w <= 0) {
    throw std::invalid_argument("kiln: conv2d_weight_grad of an empty result");
  }
  if (p.stride_w == 2) {
    define_weight_grad(conv, p, dy, batch, out_w, out_h, kBT, kG24, kAT24, 2,
                       name);
  } else {
    define_weight_grad(conv, p, dy, batch, out_w, out_h, kBT43, kG34, kAT34, 1,
                       name);
  }
  return conv;
}

} // namespace kiln::halide
