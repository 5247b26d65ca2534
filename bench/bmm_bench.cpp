// Batched matmul at the attention shapes of MODELS.md's GPT (batch 16,
// 4 heads, context 128, head size 32): scores q k^T ([16, 4, 128, 32] x
// [16, 4, 128, 32]^T) then weights @ values ([16, 4, 128, 128] x
// [16, 4, 128, 32]), kiln's kernels against torch.matmul on the same
// tensors (bench/torch_bmm.py), measured in the same run on 1 and 2
// threads. 2 products x 16 x 4 x 128 x 128 x 32 multiply-adds x 2 = 134
// MFLOP per step.
//   build/bin/bmm_bench [--steps N] [--threads N] [--profile]
#include "attention_products.h"
#include "model_bench.h"

#include <random>

int main(int argc, char **argv) {
  return kiln::bench::runModelBench(
      argc, argv, "bmm_bench", kiln_model_attention_products(),
      "attention products q k^T and p v, [16, 4, 128, 32] (134 MFLOP)",
      "torch_bmm.py", 200, [](int steps) {
        kiln::models::attention_products::Model model(/*seed=*/0);
        auto random = [](std::vector<int64_t> shape, unsigned seed) {
          kiln::rt::Tensor t(std::move(shape));
          std::mt19937 gen(seed);
          std::normal_distribution<float> n(0, 1);
          for (float &v : t.values())
            v = n(gen);
          return t;
        };
        kiln::rt::Tensor q = random({16, 4, 128, 32}, 1);
        kiln::rt::Tensor k = random({16, 4, 128, 32}, 2);
        kiln::rt::Tensor v = random({16, 4, 128, 32}, 3);
        kiln::rt::Tensor s, o;
        const kiln::rt::Tensor *qk[] = {&q, &k};
        kiln::rt::Tensor *sOut[] = {&s};
        kiln::rt::Tensor *oOut[] = {&o};
        return kiln::bench::bestMsPerStep(steps, 20, [&] {
          model.session().run("scores", qk, sOut);
          const kiln::rt::Tensor *sv[] = {&s, &v};
          model.session().run("attend", sv, oOut);
        });
      });
}
