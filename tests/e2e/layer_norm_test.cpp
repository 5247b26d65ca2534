// LayerNorm (tests/e2e/models/layer_norm.cpp), compiled as users compile
// it, against torch.nn.LayerNorm's definition written here in double:
// rows of 1, 5, 40 (eps 0.5) and 128, a lone row of 7, 100 rows per
// sample (several parallel tasks at batch 3); the gradients of the weight,
// bias and input by central finite differences: rows of 5, of 40 (many,
// and with the input also feeding the loss) and a lone row. Batches 1 and 3;
// every kernel variant of the portable build (AVX-512, AVX2, baseline) and the
// GPU schedules through ctest.
#include "layer_norm_ops.h"
#include "reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

using kiln::rt::Tensor;
using kiln::test::assign;
using kiln::test::dot;
using kiln::test::expectSgdStepsMatch;
using kiln::test::randomTensor;
using kiln::test::relErr;
using kiln::test::toDoubles;
using Values = std::vector<double>;
using Model = kiln::models::layer_norm_ops::Model;

constexpr double kForwardTol = 1e-5;

// torch.nn.LayerNorm(c, eps) over rows of c: biased variance.
Values layerNorm(const Values &x, size_t c, double eps, const Values &w,
                 const Values &b) {
  Values y(x.size());
  for (size_t row = 0; row < x.size() / c; ++row) {
    double mean = 0, var = 0;
    for (size_t j = 0; j < c; ++j)
      mean += x[row * c + j] / double(c);
    for (size_t j = 0; j < c; ++j)
      var += std::pow(x[row * c + j] - mean, 2) / double(c);
    for (size_t j = 0; j < c; ++j)
      y[row * c + j] =
          (x[row * c + j] - mean) / std::sqrt(var + eps) * w[j] + b[j];
  }
  return y;
}

// Weight and bias away from 1 and 0, so both are exercised; returns them.
std::pair<Values, Values> randomAffine(Model &m, const std::string &name,
                                       int64_t c, uint32_t seed) {
  auto &params = m.session().params();
  assign(params.get(name + ".weight"),
         toDoubles(randomTensor({c}, seed, 0.5, 1.5)));
  assign(params.get(name + ".bias"), toDoubles(randomTensor({c}, seed + 1)));
  return {toDoubles(params.get(name + ".weight")),
          toDoubles(params.get(name + ".bias"))};
}

class LayerNorm : public ::testing::TestWithParam<int64_t> {};

TEST_P(LayerNorm, ForwardMatchesTheDefinition) {
  const int64_t n = GetParam();
  Model m(1);
  struct Case {
    const char *entry, *layer;
    std::vector<int64_t> shape;
    double eps;
  };
  for (const Case &c : {Case{"rows5", "ln5", {n, 5}, 1e-5},
                        Case{"rows40", "ln40", {n, 3, 40}, 0.5},
                        Case{"rows128", "ln128", {n, 2, 128}, 1e-5},
                        Case{"one_row", "ln7", {7}, 1e-5},
                        Case{"rows1", "ln1", {n, 3, 1}, 1e-5},
                        Case{"many_rows", "ln40", {n, 100, 40}, 0.5}}) {
    const int64_t width = c.shape.back();
    auto [w, b] = randomAffine(m, c.layer, width, uint32_t(width));
    // Rows far from zero: a one-pass variance would lose digits here.
    const Tensor x = randomTensor(c.shape, uint32_t(width + 7), 30, 34);
    const Values want = layerNorm(toDoubles(x), size_t(width), c.eps, w, b);
    EXPECT_LT(
        relErr(m.session().run(c.entry, std::vector<const Tensor *>{&x})[0],
               want),
        kForwardTol)
        << c.entry;
  }
}

// loss = sum(LayerNorm(x + offset) * r) over x of `shape`, by train entry
// `entry` of layer `layer` (width `width`, eps `eps`) and offset `offset`
// (broadcast over x's leading dimensions): SGD lr 1 moves the weight, bias
// and offset by minus their gradients.
void expectLayerNormGradients(const char *entry, const std::string &layer,
                              const std::string &offset,
                              std::vector<int64_t> offsetShape,
                              std::vector<int64_t> shape, double eps,
                              uint32_t seed) {
  Model m(1);
  const int64_t width = shape.back();
  auto [w, b] = randomAffine(m, layer, width, seed);
  auto &params = m.session().params();
  assign(params.get(offset), toDoubles(randomTensor(offsetShape, seed + 2)));
  Values off = toDoubles(params.get(offset));
  const Tensor x = randomTensor(shape, seed + 3),
               r = randomTensor(shape, seed + 4);
  const Values xd = toDoubles(x), rd = toDoubles(r);
  auto loss = [&] {
    Values h = xd;
    for (size_t i = 0; i < h.size(); ++i)
      h[i] += off[i % off.size()];
    return dot(layerNorm(h, size_t(width), eps, w, b), rd);
  };
  const std::string weight = layer + ".weight", bias = layer + ".bias";
  expectSgdStepsMatch(
      m.session(), entry, {&x, &r}, loss,
      {{weight.c_str(), &w}, {bias.c_str(), &b}, {offset.c_str(), &off}});
}

TEST_P(LayerNorm, GradientsMatchFiniteDifferences) {
  const int64_t n = GetParam();
  expectLayerNormGradients("train5", "ln5", "offset.x5", {1, 5}, {n, 5}, 1e-5,
                           20);
  expectLayerNormGradients("train_rows", "ln40", "offset.rows", {40},
                           {n, 100, 40}, 0.5, 40);
  expectLayerNormGradients("train_row", "ln7", "offset.x7", {7}, {7}, 1e-5, 60);
}

// loss = sum((LayerNorm(h) + h / 2) * r), h = x + offset: the input's
// gradient is the normalisation's plus r / 2.
TEST_P(LayerNorm, GradientWithAResidual) {
  const int64_t n = GetParam();
  Model m(1);
  auto [w, b] = randomAffine(m, "ln40", 40, 30);
  auto &params = m.session().params();
  assign(params.get("offset.x40"),
         toDoubles(randomTensor({1, 3, 40}, 32, -0.5, 0.5)));
  Values off = toDoubles(params.get("offset.x40"));
  const Tensor x = randomTensor({n, 3, 40}, 33),
               r = randomTensor({n, 3, 40}, 34);
  const Values xd = toDoubles(x), rd = toDoubles(r);
  auto loss = [&] {
    Values h = xd;
    for (size_t i = 0; i < h.size(); ++i)
      h[i] += off[i % off.size()];
    return dot(layerNorm(h, 40, 0.5, w, b), rd) + dot(h, rd) / 2;
  };
  expectSgdStepsMatch(
      m.session(), "residual", {&x, &r}, loss,
      {{"ln40.weight", &w}, {"ln40.bias", &b}, {"offset.x40", &off}});
}

INSTANTIATE_TEST_SUITE_P(Batches, LayerNorm, ::testing::Values(1, 3));

} // namespace
