// Diffusion timesteps: the sinusoidal embedding of MODELS.md and DDPM's
// noise schedule as tables inside the kernels.
//
//   auto e = sinusoidal_embedding<128>(t);      // Ints<B> -> Tensor<B, 128>
//   DdpmSchedule<1000> s{1e-4, 0.02};           // linear betas
//   auto a = s.sqrt_alpha_bar(t);               // Ints<B> -> Tensor<B>
//
// The tables are gathered by timestep inside the kernels (an index
// outside the table stops the kernel with an error).
//
// sinusoidal_embedding<D>: with half = D / 2 and f_i = exp(-ln(10000) i /
// half), i = 0 .. half - 1, the row of timestep t is
// [sin(t f_0) .. sin(t f_{half-1}), cos(t f_0) .. cos(t f_{half-1})].
// The frequencies are a constant table; the rest is computed in a kernel
// from the integer timesteps.
#pragma once

#include <array>
#include <cmath>
#include <span>

#include "kiln/dsl/constants.h"
#include "kiln/dsl/elementwise.h"
#include "kiln/dsl/indices.h"
#include "kiln/dsl/shape_ops.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

template <int Dim, auto N>
Tensor<N, Dim> sinusoidal_embedding(
    const Ints<N> &t,
    std::source_location loc = std::source_location::current()) {
  static_assert(Dim > 0 && Dim % 2 == 0,
                "sinusoidal_embedding: the dimension must be even");
  constexpr int half = Dim / 2;
  std::array<float, half> f{};
  for (int i = 0; i < half; ++i)
    f[size_t(i)] = float(std::exp(-std::log(10000.0) * i / half));
  auto args = mul(reshape<N, 1>(to_float(t, loc), loc),
                  constant<half>(std::span<const float>(f), loc), loc);
  return concat(sin(args, loc), cos(args, loc), loc);
}

// DDPM's schedule with T steps and linear betas from beta_1 to beta_T (Ho
// et al. 2020): alpha_t = 1 - beta_t, alpha_bar_t = prod_{s <= t}
// alpha_s, computed in double; timesteps index the tables from 0 (the
// first step) to T - 1.
template <int Steps> class DdpmSchedule {
public:
  DdpmSchedule(double beta_first, double beta_last) {
    double bar = 1;
    for (int i = 0; i < Steps; ++i) {
      const double beta =
          Steps == 1 ? beta_first
                     : beta_first + (beta_last - beta_first) * i / (Steps - 1);
      bar *= 1 - beta;
      beta_[size_t(i)] = float(beta);
      sqrt_bar_[size_t(i)] = float(std::sqrt(bar));
      sqrt_one_minus_bar_[size_t(i)] = float(std::sqrt(1 - bar));
      bar_from_[size_t(i) + 1] = float(bar);
      recip_sqrt_alpha_[size_t(i)] = float(1 / std::sqrt(1 - beta));
      eps_coef_[size_t(i)] = float(beta / std::sqrt(1 - bar));
      sigma_[size_t(i)] = i == 0 ? 0.0f : float(std::sqrt(beta));
    }
    bar_from_[0] = 1; // "after the last step": the clean image
  }

  const std::array<float, Steps> &betas() const { return beta_; }
  const std::array<float, Steps> &sqrt_alpha_bars() const { return sqrt_bar_; }
  const std::array<float, Steps> &sqrt_one_minus_alpha_bars() const {
    return sqrt_one_minus_bar_;
  }

  // sqrt(alpha_bar_t) and sqrt(1 - alpha_bar_t) of each timestep, gathered
  // from constant tables (an index outside [0, Steps) stops the kernel).
  template <auto N>
  Tensor<N> sqrt_alpha_bar(
      const Ints<N> &t,
      std::source_location loc = std::source_location::current()) const {
    return lookup(sqrt_bar_, t, loc);
  }
  template <auto N>
  Tensor<N> sqrt_one_minus_alpha_bar(
      const Ints<N> &t,
      std::source_location loc = std::source_location::current()) const {
    return lookup(sqrt_one_minus_bar_, t, loc);
  }

  // alpha_bar of a step counted from 1, 0 standing for the clean image
  // (alpha_bar = 1): DDIM's previous timestep plus one.
  template <auto N>
  Tensor<N> alpha_bar_from_one(
      const Ints<N> &t_plus_one,
      std::source_location loc = std::source_location::current()) const {
    return gather<0>(
        constant<Steps + 1>(std::span<const float>(bar_from_), loc), t_plus_one,
        loc);
  }
  // DDPM's reverse step (Ho et al. 2020, sigma_t^2 = beta_t) uses
  //   x_{t-1} = (x_t - eps_coefficient(t) eps) * recip_sqrt_alpha(t)
  //             + sigma(t) z
  // with eps_coefficient = beta_t / sqrt(1 - abar_t), recip_sqrt_alpha =
  // 1 / sqrt(1 - beta_t), sigma = sqrt(beta_t) (0 at the last step, t = 0).
  template <auto N>
  Tensor<N> eps_coefficient(
      const Ints<N> &t,
      std::source_location loc = std::source_location::current()) const {
    return lookup(eps_coef_, t, loc);
  }
  template <auto N>
  Tensor<N> recip_sqrt_alpha(
      const Ints<N> &t,
      std::source_location loc = std::source_location::current()) const {
    return lookup(recip_sqrt_alpha_, t, loc);
  }
  template <auto N>
  Tensor<N>
  sigma(const Ints<N> &t,
        std::source_location loc = std::source_location::current()) const {
    return lookup(sigma_, t, loc);
  }

private:
  template <size_t K, auto N>
  static Tensor<N> lookup(const std::array<float, K> &table, const Ints<N> &t,
                          std::source_location loc) {
    return gather<0>(constant<int(K)>(std::span<const float>(table), loc), t,
                     loc);
  }

  std::array<float, Steps> beta_{}, sqrt_bar_{}, sqrt_one_minus_bar_{},
      recip_sqrt_alpha_{}, eps_coef_{}, sigma_{};
  std::array<float, Steps + 1> bar_from_{};
};

} // namespace kiln::dsl
