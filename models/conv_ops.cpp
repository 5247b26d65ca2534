// One small entry point per convolution-era DSL op or composite (issue 4),
// so that execution of each can be tested against a naive reference, as
// models/ops.cpp does for the others. `B` is the symbolic batch; the other
// sizes are small and distinct so that a mixed-up axis shows.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct ConvOps : Model {
  Conv2d<3, 4, 3, 1, 1> conv{"conv"};            // weight [4, 3, 3, 3]
  Conv2d<3, 4, 3, 2, 0> conv_s2{"conv_s2"};      // stride 2, no padding
  ConvTranspose2d<3, 2, 4, 2, 1> convt{"convt"}; // weight [3, 2, 4, 4]
  BatchNorm2d<3> bn2{"bn2"};
  BatchNorm1d<5> bn1{"bn1"};
  Linear<5, 1> head{"head"};

  // Ops.
  auto conv2d_same(Tensor<B, 3, 6, 5> x) { return conv(x); } // [B, 4, 6, 5]
  auto conv2d_stride(Tensor<B, 3, 7, 6> x) {
    return conv_s2(x);
  } // [B, 4, 3, 2]
  auto conv2d_nobias(Tensor<B, 3, 6, 5> x, Tensor<2, 3, 2, 2> w) {
    return conv2d<1, 0>(x, w); // [B, 2, 5, 4]
  }
  auto conv_transpose(Tensor<B, 3, 3, 4> x) { return convt(x); } // [B, 2, 6, 8]
  auto conv_transpose_nobias(Tensor<B, 3, 3, 4> x, Tensor<3, 2, 3, 3> w) {
    return conv_transpose2d<1, 0>(x, w); // [B, 2, 5, 6]
  }
  auto amax_last(Tensor<B, 6> x) { return amax<-1>(x); }
  auto amax0_keep(Tensor<B, 6> x) { return amax<0, true>(x); }
  auto max_pool(Tensor<B, 3, 4, 6> x) { return max_pool2d<2>(x); }
  auto avg_pool(Tensor<B, 3, 4, 6> x) { return avg_pool2d<2>(x); }
  auto flat(Tensor<B, 3, 4, 6> x) { return flatten(x); }
  auto uniform(Tensor<B, 6> x) { return rand_like(x); }
  auto batch_size(Tensor<B, 6> x) { return dim_size<0>(x); }

  // Composites.
  auto leaky(Tensor<B, 6> x) { return leaky_relu(x, 0.2f); }
  auto logsm(Tensor<B, 6> x) { return log_softmax(x); }
  auto xent(Tensor<B, 6> logits, Tensor<B, 6> onehot) {
    return cross_entropy_with_onehot(logits, onehot);
  }
  auto drop(Tensor<B, 6> x) { return dropout(x, 0.5f, Mode::train); }
  auto bn2_eval(Tensor<B, 3, 4, 5> x) { return bn2(x, Mode::eval); }
  auto bn1_eval(Tensor<B, 5> x) { return bn1(x, Mode::eval); }
  auto bn2_batch(Tensor<B, 3, 4, 5> x) {
    return bn2(x, Mode::train_no_stats_update);
  }

  // Training with BatchNorm: running statistics updated (twice, chained),
  // only `head.` trained.
  Scalar bn_train(Tensor<B, 5> x) {
    auto h = bn1(x, Mode::train);
    auto y = bn1(h, Mode::train);
    return mean(square(head(y)));
  }
};

KILN_MODEL(ConvOps, "conv_ops") {
  infer("conv2d_same", &ConvOps::conv2d_same);
  infer("conv2d_stride", &ConvOps::conv2d_stride);
  infer("conv2d_nobias", &ConvOps::conv2d_nobias);
  infer("conv_transpose", &ConvOps::conv_transpose);
  infer("conv_transpose_nobias", &ConvOps::conv_transpose_nobias);
  infer("amax_last", &ConvOps::amax_last);
  infer("amax0_keep", &ConvOps::amax0_keep);
  infer("max_pool", &ConvOps::max_pool);
  infer("avg_pool", &ConvOps::avg_pool);
  infer("flat", &ConvOps::flat);
  infer("uniform", &ConvOps::uniform);
  infer("batch_size", &ConvOps::batch_size);
  infer("leaky", &ConvOps::leaky);
  infer("logsm", &ConvOps::logsm);
  infer("xent", &ConvOps::xent);
  infer("drop", &ConvOps::drop);
  infer("bn2_eval", &ConvOps::bn2_eval);
  infer("bn1_eval", &ConvOps::bn1_eval);
  infer("bn2_batch", &ConvOps::bn2_batch);
  train("bn_train", &ConvOps::bn_train, Sgd{.lr = 0.1})
      .params("head.")
      .inputs("x");
}
