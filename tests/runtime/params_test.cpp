// ParamStore: initialisers, seeded determinism, and that a parameter's
// values depend only on (seed, its index), not on the other parameters.
#include "kiln/runtime/error.h"
#include "kiln/runtime/params.h"
#include "kiln/runtime/random.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiln::rt;

namespace {

ModelDesc make_model() {
  return ModelDesc{
      .name = "toy",
      .params =
          {
              {"a.weight", {512, 1024}, InitKind::normal, 0.0, 0.02},
              {"a.bias", {1024}, InitKind::zeros},
              {"b.weight", {256, 512}, InitKind::uniform, -0.1, 0.1},
              {"norm.weight", {7}, InitKind::ones},
              {"scale", {2, 2}, InitKind::constant, 0.25},
          },
      .entries = {}};
}

std::vector<float> copy(const Tensor &t) {
  return {t.values().begin(), t.values().end()};
}

} // namespace

TEST(ParamStore, ShapesCountAndLookup) {
  const ModelDesc model = make_model();
  ParamStore p(model, 0);
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p.at(0).shape(), (std::vector<int64_t>{512, 1024}));
  EXPECT_EQ(&p.get("b.weight"), &p.at(2));
  EXPECT_EQ(p.count(), 512 * 1024 + 1024 + 256 * 512 + 7 + 4);
}

TEST(ParamStore, UnknownNameListsTheParameters) {
  const ModelDesc model = make_model();
  ParamStore p(model, 0);
  try {
    p.get("c.weight");
    FAIL();
  } catch (const Error &e) {
    EXPECT_STREQ(e.what(), "toy has no parameter 'c.weight'; parameters: "
                           "a.weight, a.bias, b.weight, norm.weight, scale");
  }
}

TEST(ParamStore, ConstantInitialisers) {
  const ModelDesc model = make_model();
  ParamStore p(model, 3);
  for (float v : p.get("a.bias").values())
    ASSERT_EQ(v, 0.0f);
  for (float v : p.get("norm.weight").values())
    ASSERT_EQ(v, 1.0f);
  for (float v : p.get("scale").values())
    ASSERT_EQ(v, 0.25f);
}

TEST(ParamStore, UniformBoundsAndNormalMoments) {
  const ModelDesc model = make_model();
  ParamStore p(model, 11);
  for (float v : p.get("b.weight").values()) {
    ASSERT_GE(v, -0.1f);
    ASSERT_LT(v, 0.1f);
  }
  const auto w = p.get("a.weight").values(); // 2^19 values
  double sum = 0, squares = 0;
  for (float v : w)
    sum += v;
  const double mean = sum / static_cast<double>(w.size());
  for (float v : w)
    squares += (v - mean) * (v - mean);
  const double std = std::sqrt(squares / static_cast<double>(w.size()));
  EXPECT_NEAR(mean, 0.0, 2e-4); // sigma/sqrt(n) ~ 2.8e-5
  EXPECT_NEAR(std, 0.02, 2e-4);
}

TEST(ParamStore, SameSeedSameValuesDifferentSeedDifferent) {
  const ModelDesc model = make_model();
  ParamStore a(model, 1), b(model, 1), c(model, 2);
  for (size_t i : {0u, 2u}) {
    EXPECT_EQ(copy(a.at(i)), copy(b.at(i)));
    EXPECT_NE(copy(a.at(i)), copy(c.at(i)));
  }
  // Two parameters with the same initialiser still differ (own streams).
  EXPECT_NE(copy(a.at(0))[0], copy(a.at(2))[0]);
}

TEST(ParamStore, ValuesDependOnlyOnSeedAndIndex) {
  const ModelDesc model = make_model();
  ModelDesc changed = make_model();
  // Other parameters resized and re-initialised: b.weight must not move.
  changed.params[0].shape = {3, 3};
  changed.params[0].init = InitKind::uniform;
  changed.params[0].a = 0;
  changed.params[0].b = 1;
  changed.params.push_back({"extra", {100}, InitKind::normal, 0, 1});
  ParamStore a(model, 8), b(changed, 8);
  EXPECT_EQ(copy(a.get("b.weight")), copy(b.get("b.weight")));
  // And it is exactly stream (seed, index) of the documented fill.
  std::vector<float> expected(256 * 512);
  fill_uniform(expected, 8, 2, -0.1, 0.1);
  EXPECT_EQ(copy(a.get("b.weight")), expected);
}

TEST(ParamStore, BadInitialiserNamesTheParameter) {
  ModelDesc model = make_model();
  model.params[2].a = 1; // uniform(1, 0.1)
  try {
    ParamStore p(model, 0);
    FAIL();
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("toy: parameter 'b.weight'"),
              std::string::npos)
        << e.what();
  }
}
