// A test model whose only job is in-graph random numbers: randn_like of its
// input, and a second stream in the same entry point.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Noise : Model {
  std::pair<Tensor<B, 64>, Tensor<B, 64>> noise(Tensor<B, 64> x) {
    auto a = randn_like(x);
    auto b = randn_like(x);
    return {a, b};
  }
};

KILN_MODEL(Noise, "noise") {
  infer("noise", &Noise::noise).inputs("x").outputs("a", "b");
}
