// The DDPM UNet of MODELS.md on 28x28 Fashion-MNIST scaled to [-1, 1],
// with its parameter names (PyTorch's) and sinusoidal embedding:
//
//   temb = Linear(SiLU(Linear(sinusoidal(t, 128))))           512 wide
//   RB(cin, cout): h = conv3x3(SiLU(GroupNorm8(x))) + Linear(SiLU(temb))
//                  h = conv3x3(SiLU(GroupNorm8(h)));  h + skip(x)
//   28x28: conv_in 1 -> 32, RB(32,32), RB(32,32) = s0, down0 (stride 2)
//   14x14: RB(32,64), RB(64,64) = s1, down1 (stride 2)
//   7x7:   RB(64,128), Attn, RB(128,128), Attn
//   up:    x2 + up1 conv 128 -> 128, concat s1, RB(192,64), RB(64,64)
//   up:    x2 + up0 conv 64 -> 64, concat s0, RB(96,32), RB(32,32)
//   out:   GroupNorm8, SiLU, conv_out 32 -> 1            2,009,377 params
//
// Training and sampling: epsilon prediction with T = 1000 linear betas
// 1e-4 .. 0.02, DDPM's and DDIM's steps (diffusion.h).
#include "diffusion.h"
#include "unet.h"

using namespace kiln::dsl;
using unet::ResBlock;
using unet::SpatialAttention;

inline constexpr auto B = batch;
inline constexpr int kSteps = 1000; // T

struct Ddpm : Model {
  Linear<128, 512> temb0{"temb.0"};
  Linear<512, 512> temb2{"temb.2"};
  Conv2d<1, 32, 3, 1, 1> conv_in{"conv_in"};
  ResBlock<32, 32> d00{"d0.0"}, d01{"d0.1"};
  Conv2d<32, 32, 3, 2, 1> down0{"down0"};
  ResBlock<32, 64> d10{"d1.0"};
  ResBlock<64, 64> d11{"d1.1"};
  Conv2d<64, 64, 3, 2, 1> down1{"down1"};
  ResBlock<64, 128> m0{"m.0"};
  SpatialAttention<128, 7> ma0{"ma.0"};
  ResBlock<128, 128> m1{"m.1"};
  SpatialAttention<128, 7> ma1{"ma.1"};
  Conv2d<128, 128, 3, 1, 1> up1{"up1"};
  ResBlock<192, 64> u10{"u1.0"};
  ResBlock<64, 64> u11{"u1.1"};
  Conv2d<64, 64, 3, 1, 1> up0{"up0"};
  ResBlock<96, 32> u00{"u0.0"};
  ResBlock<32, 32> u01{"u0.1"};
  GroupNorm<8, 32> norm_out{"norm_out"};
  Conv2d<32, 1, 3, 1, 1> conv_out{"conv_out"};
  diffusion::Process<kSteps> process{1e-4, 0.02}; // linear betas

  // The predicted noise of x_t at timesteps t.
  Tensor<B, 1, 28, 28> eps(Tensor<B, 1, 28, 28> x, Ints<B> t) {
    auto temb = silu(temb2(silu(temb0(sinusoidal_embedding<128>(t)))));
    auto h0 = conv_in(x);
    auto s0 = d01(d00(h0, temb), temb);        // 32 x 28
    auto s1 = d11(d10(down0(s0), temb), temb); // 64 x 14
    auto h = m0(down1(s1), temb);              // 128 x 7
    h = ma1(m1(ma0(h), temb));
    auto u1 = concat<1>(up1(upsample_nearest2x(h)), s1);  // 192 x 14
    auto g1 = u11(u10(u1, temb), temb);                   // 64 x 14
    auto u0 = concat<1>(up0(upsample_nearest2x(g1)), s0); // 96 x 28
    auto g0 = u01(u00(u0, temb), temb);                   // 32 x 28
    return conv_out(silu(norm_out(g0)));
  }

  // The samplers' steps and the training loss (diffusion.h).
  Tensor<B, 1, 28, 28> ddpm_step(Tensor<B, 1, 28, 28> x, Ints<B> t) {
    return process.ddpm_step(x, eps(x, t), t);
  }
  Tensor<B, 1, 28, 28> ddim_step(Tensor<B, 1, 28, 28> x, Ints<B> t,
                                 Ints<B> prev, Scalar eta) {
    return process.ddim_step(x, eps(x, t), t, prev, eta);
  }
  Scalar loss(Tensor<B, 1, 28, 28> x0) {
    return process.loss(
        x0, [&](const auto &xt, const auto &t) { return eps(xt, t); });
  }
};

KILN_MODEL(Ddpm, "ddpm") {
  // MODELS.md: batch 64, Adam lr 2e-4, images in [-1, 1]. DDPMs sample
  // from a moving average of the weights (Ho et al.); `kiln sample --ema`.
  train("train_step", &Ddpm::loss, Adam{.lr = 2e-4, .ema = 0.999})
      .inputs("x")
      .consumes(data::images(-1, 1))
      .outputs("loss")
      .batch(64);
  infer("eps", &Ddpm::eps).inputs("x", "t").outputs("eps");
  // The samplers' steps (kiln sample): images in [-1, 1] to images.
  infer("ddpm_step", &Ddpm::ddpm_step)
      .inputs("x", "t")
      .consumes(data::images(-1, 1), data::timestep(kSteps))
      .outputs("x_prev")
      .produces(data::images(-1, 1));
  infer("ddim_step", &Ddpm::ddim_step)
      .inputs("x", "t", "prev", "eta")
      .consumes(data::images(-1, 1), data::timestep(kSteps),
                data::prev_timestep(kSteps), data::eta())
      .outputs("x_prev")
      .produces(data::images(-1, 1));
}
