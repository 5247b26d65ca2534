// DDPM's process (Ho et al. 2020) and DDIM's sampler (Song et al. 2021),
// written once for samples of any shape: the pixel-space UNet (ddpm.cpp)
// and the latent denoiser (ldm.cpp) both use it with their own noise
// predictor eps_theta(x_t, t).
//
//   diffusion::Process<1000> process{1e-4, 0.02};     // T, linear betas
//   Scalar loss = process.loss(x0, [&](auto xt, auto t) { return eps(xt, t);
//   }); auto x_prev = process.ddim_step(x, eps(x, t), t, prev, eta);
#pragma once

#include <kiln/dsl.h>

namespace kiln::dsl::diffusion {

template <int Steps> class Process {
public:
  Process(double beta_first, double beta_last)
      : schedule(beta_first, beta_last) {}

  DdpmSchedule<Steps> schedule;

  // Epsilon-prediction MSE (MODELS.md): per sample a timestep t uniform in
  // [0, T) and noise eps ~ N(0, I), both drawn in the graph from the run's
  // seed; x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps; the loss is
  // mean((eps_theta(x_t, t) - eps)^2).
  template <auto... D, class Predict>
  Scalar loss(const Tensor<batch, D...> &x0, Predict eps_theta) const {
    auto t = random_ints<Steps>(sum<1>(reshape<batch, (D * ...)>(x0)));
    auto noise = randn_like(x0);
    auto a = per_sample<D...>(schedule.sqrt_alpha_bar(t));
    auto s = per_sample<D...>(schedule.sqrt_one_minus_alpha_bar(t));
    return mean(square(eps_theta(x0 * a + noise * s, t) - noise));
  }

  // DDPM's ancestral step from x_t to x_{t-1} with sigma_t^2 = beta_t, z ~
  // N(0, I) drawn in the graph (unused at t = 0):
  //   x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) eps) / sqrt(alpha_t)
  //             + sigma_t z
  template <auto... D>
  Tensor<batch, D...> ddpm_step(const Tensor<batch, D...> &x,
                                const Tensor<batch, D...> &eps,
                                const Ints<batch> &t) const {
    return (x - eps * per_sample<D...>(schedule.eps_coefficient(t))) *
               per_sample<D...>(schedule.recip_sqrt_alpha(t)) +
           randn_like(x) * per_sample<D...>(schedule.sigma(t));
  }

  // One DDIM step from x_t to x_prev, `prev` being the previous timestep
  // plus one (0: the clean sample):
  //   x0 = (x - sqrt(1 - abar_t) eps) / sqrt(abar_t)
  //   sigma = eta sqrt((1 - abar_prev) / (1 - abar_t))
  //               sqrt(1 - abar_t / abar_prev)
  //   x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev - sigma^2) eps
  //            + sigma z
  template <auto... D>
  Tensor<batch, D...> ddim_step(const Tensor<batch, D...> &x,
                                const Tensor<batch, D...> &eps,
                                const Ints<batch> &t, const Ints<batch> &prev,
                                const Scalar &eta) const {
    auto a = per_sample<D...>(schedule.sqrt_alpha_bar(t));
    auto s = per_sample<D...>(schedule.sqrt_one_minus_alpha_bar(t));
    auto ab = a * a;
    auto ab_prev = per_sample<D...>(schedule.alpha_bar_from_one(prev));
    auto x0 = (x - eps * s) / a;
    auto sigma = eta * sqrt((1.0f - ab_prev) / (s * s) * (1.0f - ab / ab_prev));
    return x0 * sqrt(ab_prev) +
           eps * sqrt(relu(1.0f - ab_prev - sigma * sigma)) +
           randn_like(x) * sigma;
  }

private:
  // A value per sample [batch] as [batch, 1, ...], broadcast over the
  // sample's dimensions D...
  template <auto... D> static auto per_sample(const Tensor<batch> &v) {
    return reshape<batch, ((void)D, 1)...>(v);
  }
};

} // namespace kiln::dsl::diffusion
