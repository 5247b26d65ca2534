// Causal attention at the GPT's shapes (batch 16, 4 heads, context 128,
// head size 32), forward and forward + backward (the gradients of q, k and
// v), kiln's fused kernels and the composite they replace (batched
// matmuls, causal_mask, softmax) against PyTorch's
// scaled_dot_product_attention on the same tensors (bench/
// torch_attention.py), in the same run on 1 and 2 threads.
//   build/bin/attention_bench [--steps N] [--threads N] [--profile]
#include "attention_fused.h"
#include "model_bench.h"

#include <random>
#include <string>

namespace {

kiln::rt::Tensor random(unsigned seed) {
  kiln::rt::Tensor t({16, 4, 128, 32});
  std::mt19937 gen(seed);
  std::normal_distribution<float> n(0, 1);
  for (float &v : t.values())
    v = n(gen);
  return t;
}

} // namespace

int main(int argc, char **argv) {
  kiln::models::attention_fused::Model model(/*seed=*/0);
  const kiln::rt::Tensor q = random(1), k = random(2), v = random(3),
                         r = random(4);
  std::vector<std::string> titles;
  std::vector<kiln::bench::Section> sections;
  for (const char *entry : {"fused_forward", "composite_forward", "fused_train",
                            "composite_train"}) {
    const bool train = std::string(entry).find("train") != std::string::npos;
    titles.push_back(
        std::string("causal attention [16, 4, 128, 32], kiln ") + entry +
        " vs torch scaled_dot_product_attention (written out on 1.x)" +
        (train ? " forward + backward" : " forward"));
    sections.push_back(
        {nullptr,
         train ? "torch_attention.py --backward" : "torch_attention.py", 100,
         [&, entry, train](int steps) {
           kiln::rt::Tensor out;
           std::vector<const kiln::rt::Tensor *> in{&q, &k, &v};
           if (train)
             in.push_back(&r);
           kiln::rt::Tensor *outs[] = {&out};
           return kiln::bench::bestMsPerStep(
               steps, 10, [&] { model.session().run(entry, in, outs); });
         }});
  }
  for (size_t i = 0; i < sections.size(); ++i)
    sections[i].title = titles[i].c_str();
  return kiln::bench::runModelBenches(argc, argv, "attention_bench",
                                      kiln_model_attention_fused(), sections);
}
