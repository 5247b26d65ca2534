// LayerNorm (kiln.normalize with its scale and shift) for
// tests/e2e/layer_norm_test.cpp. Rows of 5 (narrower than a vector), of 40
// (two and a half AVX-512 vectors, five AVX2 ones) with an eps of 0.5 that
// matters, of 128 (the Transformers'), and a tensor that is one row of 7.
// Rows of 1 (the result is the bias). 100 rows per sample, so that batch 3
// spreads them over several parallel tasks (normalization_schedule.cpp),
// and a row of 7 trained alone. Gradients reach the inputs through a
// parameter added to them (offset.*, zeros): with SGD lr 1 it moves by
// minus the input gradient summed over the batch. In `residual` the input
// also feeds the loss directly, so the normalisation's gradient kernel
// ends in the residual's sum.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct LayerNormOps : Model {
  LayerNorm<5> ln5{"ln5"};
  LayerNorm<40> ln40{"ln40", 0.5};
  LayerNorm<128> ln128{"ln128"};
  LayerNorm<7> ln7{"ln7"};
  LayerNorm<1> ln1{"ln1"};
  Param<1, 5> offset5{"offset.x5", init::zeros()};
  Param<1, 3, 40> offset40{"offset.x40", init::zeros()};
  Param<40> offset_rows{"offset.rows", init::zeros()};
  Param<7> offset7{"offset.x7", init::zeros()};

  Tensor<B, 5> rows5(Tensor<B, 5> x) { return ln5(x); }
  Tensor<B, 3, 40> rows40(Tensor<B, 3, 40> x) { return ln40(x); }
  Tensor<B, 2, 128> rows128(Tensor<B, 2, 128> x) { return ln128(x); }
  Tensor<7> one_row(Tensor<7> x) { return ln7(x); }
  Tensor<B, 3, 1> rows1(Tensor<B, 3, 1> x) { return ln1(x); }
  Tensor<B, 100, 40> many_rows(Tensor<B, 100, 40> x) { return ln40(x); }

  Scalar train5(Tensor<B, 5> x, Tensor<B, 5> r) {
    return sum(ln5(x + offset5) * r);
  }
  Scalar train_rows(Tensor<B, 100, 40> x, Tensor<B, 100, 40> r) {
    return sum(ln40(x + offset_rows) * r);
  }
  Scalar train_row(Tensor<7> x, Tensor<7> r) {
    return sum(ln7(x + offset7) * r);
  }
  Scalar residual(Tensor<B, 3, 40> x, Tensor<B, 3, 40> r) {
    auto h = x + offset40;
    return sum((ln40(h) + h * 0.5f) * r);
  }
};

KILN_MODEL(LayerNormOps, "layer_norm_ops") {
  infer("rows5", &LayerNormOps::rows5);
  infer("rows40", &LayerNormOps::rows40);
  infer("rows128", &LayerNormOps::rows128);
  infer("one_row", &LayerNormOps::one_row);
  infer("rows1", &LayerNormOps::rows1);
  infer("many_rows", &LayerNormOps::many_rows);
  train("train5", &LayerNormOps::train5, Sgd{.lr = 1})
      .params("ln5.", "offset.x5");
  train("train_rows", &LayerNormOps::train_rows, Sgd{.lr = 1})
      .params("ln40.", "offset.rows");
  train("train_row", &LayerNormOps::train_row, Sgd{.lr = 1})
      .params("ln7.", "offset.x7");
  train("residual", &LayerNormOps::residual, Sgd{.lr = 1})
      .params("ln40.", "offset.x40");
}
