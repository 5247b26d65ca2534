// The two batched products of attention at the Transformer's shapes
// (MODELS.md's GPT: 4 heads of 32, context 128), for bench/bmm_bench.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct AttentionProducts : Model {
  // Scores q k^T per batch element and head.
  Tensor<B, 4, 128, 128> scores(Tensor<B, 4, 128, 32> q,
                                Tensor<B, 4, 128, 32> k) {
    return matmul<false, true>(q, k);
  }
  // Attention weights times values.
  Tensor<B, 4, 128, 32> attend(Tensor<B, 4, 128, 128> p,
                               Tensor<B, 4, 128, 32> v) {
    return matmul(p, v);
  }
};

KILN_MODEL(AttentionProducts, "attention_products") {
  infer("scores", &AttentionProducts::scores);
  infer("attend", &AttentionProducts::attend);
}
