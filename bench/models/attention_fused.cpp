// Causal attention at the GPT's shapes (MODELS.md: 4 heads of 32, context
// 128), fused (scaled_dot_product_attention) and composed of batched
// matmuls, causal_mask and softmax as models/ wrote it before, for
// bench/attention_bench. The train entries differentiate with respect to
// q, k and v through offsets added to them (zeros, SGD), as PyTorch's
// reference does through requires_grad.
#include <kiln/dsl.h>

#include <cmath>

using namespace kiln::dsl;

inline constexpr auto B = batch;
using Heads = Tensor<B, 4, 128, 32>;

struct AttentionFused : Model {
  Param<1, 4, 128, 32> oq{"offset.q", init::zeros()};
  Param<1, 4, 128, 32> ok{"offset.k", init::zeros()};
  Param<1, 4, 128, 32> ov{"offset.v", init::zeros()};

  static Heads composite(const Heads &q, const Heads &k, const Heads &v) {
    auto s = matmul<false, true>(q, k) * (1.0f / std::sqrt(32.0f));
    return matmul(softmax(causal_mask(s)), v);
  }
  static Heads fused(const Heads &q, const Heads &k, const Heads &v) {
    return scaled_dot_product_attention(q, k, v, {.causal = true});
  }

  Heads fused_forward(Heads q, Heads k, Heads v) { return fused(q, k, v); }
  Heads composite_forward(Heads q, Heads k, Heads v) {
    return composite(q, k, v);
  }
  Scalar fused_train(Heads q, Heads k, Heads v, Heads r) {
    return sum(fused(q + oq, k + ok, v + ov) * r);
  }
  Scalar composite_train(Heads q, Heads k, Heads v, Heads r) {
    return sum(composite(q + oq, k + ok, v + ov) * r);
  }
};

KILN_MODEL(AttentionFused, "attention_fused") {
  infer("fused_forward", &AttentionFused::fused_forward);
  infer("composite_forward", &AttentionFused::composite_forward);
  train("fused_train", &AttentionFused::fused_train, Sgd{.lr = 1e-20});
  train("composite_train", &AttentionFused::composite_train, Sgd{.lr = 1e-20});
}
