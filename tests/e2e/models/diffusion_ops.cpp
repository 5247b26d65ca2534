// The diffusion building blocks for tests/e2e/diffusion_ops_test.cpp:
// GroupNorm, nearest x2 upsampling, channel concatenation, the DDPM UNet's
// spatial attention at 7x7 (models/unet.h, 128 channels, 4 heads), the
// sinusoidal timestep embedding and the DDPM schedule's tables gathered by
// timestep.
//
// Sizes are odd on purpose: 2 groups of 3 channels on 5x3 images (and on
// 25x27, long rows), 8 groups of 2 on 3x3, upsampling of 4x5, 3 and 2 channels
// concatenated. Gradients reach the inputs through a parameter added to them
// (offset.*, zeros): with SGD lr 1 it moves by minus the input gradient summed
// over the batch.
#include "unet.h"

#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct DiffusionOps : Model {
  GroupNorm<2, 6> norm_a{"norm_a"};
  GroupNorm<8, 16> norm_b{"norm_b"};
  // Rows of 3 x 25 x 27 = 2025 values: long enough for the GPU schedule's
  // block per row (gpu_schedule.cpp), and no multiple of its 256 threads.
  GroupNorm<2, 6> norm_w{"norm_w"};
  Param<1, 6, 1, 1> offset_w{"offset.w", init::zeros()};
  Param<1, 6, 5, 3> offset_a{"offset.a", init::zeros()};
  Param<1, 3, 4, 5> offset_u{"offset.u", init::zeros()};
  Param<1, 3, 4, 5> offset_ca{"offset.ca", init::zeros()};
  Param<1, 2, 4, 5> offset_cb{"offset.cb", init::zeros()};
  unet::SpatialAttention<128, 7> attn{"attn"};
  Param<1, 128, 7, 7> offset_m{"offset.m", init::zeros()};
  DdpmSchedule<1000> schedule{1e-4, 0.02};

  Tensor<B, 6, 5, 3> group_norm(Tensor<B, 6, 5, 3> x) { return norm_a(x); }
  Tensor<B, 16, 3, 3> group_norm8(Tensor<B, 16, 3, 3> x) { return norm_b(x); }
  Scalar group_norm_train(Tensor<B, 6, 5, 3> x, Tensor<B, 6, 5, 3> r) {
    return sum(norm_a(x + offset_a) * r);
  }
  Tensor<B, 6, 25, 27> group_norm_wide(Tensor<B, 6, 25, 27> x) {
    return norm_w(x);
  }
  Scalar group_norm_wide_train(Tensor<B, 6, 25, 27> x, Tensor<B, 6, 25, 27> r) {
    return sum(norm_w(x + offset_w) * r);
  }

  Tensor<B, 3, 8, 10> upsample(Tensor<B, 3, 4, 5> x) {
    return upsample_nearest2x(x);
  }
  Scalar upsample_train(Tensor<B, 3, 4, 5> x, Tensor<B, 3, 8, 10> r) {
    return sum(upsample_nearest2x(x + offset_u) * r);
  }

  Tensor<B, 5, 4, 5> concat_channels(Tensor<B, 3, 4, 5> a,
                                     Tensor<B, 2, 4, 5> b) {
    return concat<1>(a, b);
  }
  Scalar concat_train(Tensor<B, 3, 4, 5> a, Tensor<B, 2, 4, 5> b,
                      Tensor<B, 5, 4, 5> r) {
    return sum(concat<1>(a + offset_ca, b + offset_cb) * r);
  }

  Tensor<B, 128, 7, 7> spatial_attention(Tensor<B, 128, 7, 7> x) {
    return attn(x);
  }
  Scalar spatial_attention_train(Tensor<B, 128, 7, 7> x,
                                 Tensor<B, 128, 7, 7> r) {
    return sum(attn(x + offset_m) * r);
  }

  Tensor<B, 128> embed(Ints<B> t) { return sinusoidal_embedding<128>(t); }
  Tensor<B, 10> embed10(Ints<B> t) { return sinusoidal_embedding<10>(t); }
  // floor_to_int, seen through to_float; random_ints<1000> likewise.
  Tensor<B, 7> floors(Tensor<B, 7> x) { return to_float(floor_to_int(x)); }
  // Integer results: computed by a kernel, and an integer input returned
  // as it is (copied by the plan).
  std::tuple<Ints<B, 7>, Tensor<B, 7>, Ints<B>> split(Tensor<B, 7> x,
                                                      Ints<B> t) {
    auto whole = floor_to_int(x);
    return {whole, x - to_float(whole), t};
  }
  Tensor<B, 4096> draws(Tensor<B, 4096> like) {
    return to_float(random_ints<1000>(like));
  }
  std::pair<Tensor<B>, Tensor<B>> alphas(Ints<B> t) {
    return {schedule.sqrt_alpha_bar(t), schedule.sqrt_one_minus_alpha_bar(t)};
  }
};

KILN_MODEL(DiffusionOps, "diffusion_ops") {
  infer("group_norm", &DiffusionOps::group_norm);
  infer("group_norm8", &DiffusionOps::group_norm8);
  train("group_norm_train", &DiffusionOps::group_norm_train, Sgd{.lr = 1})
      .params("norm_a.", "offset.a");
  infer("group_norm_wide", &DiffusionOps::group_norm_wide);
  train("group_norm_wide_train", &DiffusionOps::group_norm_wide_train,
        Sgd{.lr = 1})
      .params("norm_w.", "offset.w");
  infer("upsample", &DiffusionOps::upsample);
  train("upsample_train", &DiffusionOps::upsample_train, Sgd{.lr = 1})
      .params("offset.u");
  infer("concat_channels", &DiffusionOps::concat_channels);
  train("concat_train", &DiffusionOps::concat_train, Sgd{.lr = 1})
      .params("offset.ca", "offset.cb");
  infer("spatial_attention", &DiffusionOps::spatial_attention);
  train("spatial_attention_train", &DiffusionOps::spatial_attention_train,
        Sgd{.lr = 1})
      .params("attn.", "offset.m");
  infer("embed", &DiffusionOps::embed);
  infer("embed10", &DiffusionOps::embed10);
  infer("alphas", &DiffusionOps::alphas);
  infer("floors", &DiffusionOps::floors);
  infer("split", &DiffusionOps::split);
  infer("draws", &DiffusionOps::draws);
}
