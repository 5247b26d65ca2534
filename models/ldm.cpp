// Latent diffusion (MODELS.md): DDPM over the VAE's 32-dim latent space,
// the latents being the posterior means that `kiln encode vae` writes;
// samples are decoded into images by the VAE's decoder (kiln sample ldm
// --decoder). The denoiser is a small residual MLP:
//
//   temb = Linear(SiLU(Linear(sinusoidal(t, 128))))        256 wide
//   h = Linear(z) 32 -> 256
//   4 x block: h += fc2(SiLU(fc1(SiLU(LayerNorm(h))) + t(SiLU(temb))))
//   eps = out(SiLU(LayerNorm(h))) 256 -> 32                 907,552 params
//
// The process (T = 1000 linear betas 1e-4 .. 0.02, epsilon prediction) and
// the samplers' steps are the pixel-space DDPM's (diffusion.h).
#include "diffusion.h"

#include <string>

using namespace kiln::dsl;

inline constexpr auto B = batch;
inline constexpr int kSteps = 1000; // T
inline constexpr int kLatent = 32;  // the VAE's
inline constexpr int kWidth = 256;

struct Block {
  explicit Block(const std::string &p)
      : norm(p + ".norm"), fc1(p + ".fc1"), t(p + ".t"), fc2(p + ".fc2") {}

  LayerNorm<kWidth> norm;
  Linear<kWidth, kWidth> fc1;
  Linear<kWidth, kWidth> t;
  Linear<kWidth, kWidth> fc2;

  Tensor<B, kWidth> operator()(const Tensor<B, kWidth> &h,
                               const Tensor<B, kWidth> &temb_silu) const {
    return h + fc2(silu(fc1(silu(norm(h))) + t(temb_silu)));
  }
};

struct Ldm : Model {
  Linear<128, kWidth> temb0{"temb.0"};
  Linear<kWidth, kWidth> temb2{"temb.2"};
  Linear<kLatent, kWidth> in{"in"};
  Block b0{"blocks.0"}, b1{"blocks.1"}, b2{"blocks.2"}, b3{"blocks.3"};
  LayerNorm<kWidth> norm_out{"norm_out"};
  Linear<kWidth, kLatent> out{"out"};
  diffusion::Process<kSteps> process{1e-4, 0.02}; // linear betas

  // The predicted noise of z_t at timesteps t.
  Tensor<B, kLatent> eps(Tensor<B, kLatent> z, Ints<B> t) {
    auto temb = silu(temb2(silu(temb0(sinusoidal_embedding<128>(t)))));
    auto h = b3(b2(b1(b0(in(z), temb), temb), temb), temb);
    return out(silu(norm_out(h)));
  }

  Tensor<B, kLatent> ddpm_step(Tensor<B, kLatent> z, Ints<B> t) {
    return process.ddpm_step(z, eps(z, t), t);
  }
  Tensor<B, kLatent> ddim_step(Tensor<B, kLatent> z, Ints<B> t, Ints<B> prev,
                               Scalar eta) {
    return process.ddim_step(z, eps(z, t), t, prev, eta);
  }
  Scalar loss(Tensor<B, kLatent> z0) {
    return process.loss(
        z0, [&](const auto &zt, const auto &t) { return eps(zt, t); });
  }
};

KILN_MODEL(Ldm, "ldm") {
  // A moving average of the weights for sampling (kiln sample --ema).
  train("train_step", &Ldm::loss, Adam{.lr = 1e-3, .ema = 0.999})
      .inputs("z")
      .consumes(data::latent())
      .outputs("loss")
      .batch(128);
  infer("eps", &Ldm::eps).inputs("z", "t").outputs("eps");
  // The samplers' steps (kiln sample): latents to latents.
  infer("ddpm_step", &Ldm::ddpm_step)
      .inputs("z", "t")
      .consumes(data::latent(), data::timestep(kSteps))
      .outputs("z_prev")
      .produces(data::latent());
  infer("ddim_step", &Ldm::ddim_step)
      .inputs("z", "t", "prev", "eta")
      .consumes(data::latent(), data::timestep(kSteps),
                data::prev_timestep(kSteps), data::eta())
      .outputs("z_prev")
      .produces(data::latent());
}
