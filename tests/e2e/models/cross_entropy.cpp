// Softmax cross-entropy against integer targets (kiln.cross_entropy) for
// tests/e2e/cross_entropy_test.cpp: rows of 7 classes (narrower than a
// vector), of 37 (not whole vectors: the guarded tails), of 256 (the
// GPT's), 100 rows per sample (several parallel tasks at batch 3), and a
// lone row, trained as a scalar loss (its gradient seeded by a constant).
// The logits' gradient reaches them through a parameter added to them
// (offset.*, zeros): with SGD lr 1 it moves by minus the gradient summed
// over the batch.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct CrossEntropyOps : Model {
  Param<1, 3, 7> offset7{"offset.x7", init::zeros()};
  Param<256> offset256{"offset.x256", init::zeros()};
  Param<37> offset37{"offset.x37", init::zeros()};

  Tensor<B, 3> rows7(Tensor<B, 3, 7> x, Ints<B, 3> ids) {
    return cross_entropy(x, ids);
  }
  Tensor<B, 3> rows37(Tensor<B, 3, 37> x, Ints<B, 3> ids) {
    return cross_entropy(x, ids);
  }
  Tensor<B, 100> rows256(Tensor<B, 100, 256> x, Ints<B, 100> ids) {
    return cross_entropy(x, ids);
  }
  Scalar one_row(Tensor<7> x, Ints<> id) { return cross_entropy(x, id); }

  Scalar train7(Tensor<B, 3, 7> x, Ints<B, 3> ids, Tensor<B, 3> r) {
    return sum(cross_entropy(x + offset7, ids) * r);
  }
  Scalar train_row(Tensor<37> x, Ints<> id) {
    return cross_entropy(x + offset37, id);
  }
  Scalar train256(Tensor<B, 100, 256> x, Ints<B, 100> ids) {
    return mean(cross_entropy(x + offset256, ids));
  }
};

KILN_MODEL(CrossEntropyOps, "cross_entropy_ops") {
  infer("rows7", &CrossEntropyOps::rows7);
  infer("rows37", &CrossEntropyOps::rows37);
  infer("rows256", &CrossEntropyOps::rows256);
  infer("one_row", &CrossEntropyOps::one_row);
  train("train7", &CrossEntropyOps::train7, Sgd{.lr = 1}).params("offset.x7");
  train("train_row", &CrossEntropyOps::train_row, Sgd{.lr = 1})
      .params("offset.x37");
  train("train256", &CrossEntropyOps::train256, Sgd{.lr = 1})
      .params("offset.x256");
}
