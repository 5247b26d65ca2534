// The KV cache's cases (tests/e2e/models/kv_cache.cpp), for any build of
// the model (a gtest type-parameterized suite): appends at run-time
// positions persist between calls and land where a naive reference puts
// them, the decode step's scores read the cache with later positions
// masked, and a position past the end is an error that changes nothing.
// kv_cache_test.cpp runs them on the model as built for the CLI (and on its
// GPU kernels), kv_cache_autoschedule_test.cpp under both autoschedulers.
#pragma once

#include "reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kiln::test::kv_cache {

using kiln::rt::Tensor;
using kiln::test::randomTensor;
using kiln::test::relErr;
using kiln::test::toDoubles;
using Values = std::vector<double>;

inline constexpr int64_t kBatch = 2, kPositions = 6, kIn = 3, kKey = 4;

template <class Model>
Tensor run(Model &model, const std::string &entry,
           const std::vector<const Tensor *> &inputs) {
  return std::move(model.session().run(entry, inputs)[0]);
}

template <class Model> class KvCache : public ::testing::Test {};
TYPED_TEST_SUITE_P(KvCache);

TYPED_TEST_P(KvCache, AppendsInPlaceAndScoresReadTheCache) {
  TypeParam model(/*seed=*/4);
  const Values w = toDoubles(model.params().get("proj.weight"));
  const Values b = toDoubles(model.params().get("proj.bias"));
  Values cache(size_t(kBatch * kPositions * kKey), 0.0);
  for (int32_t pos = 0; pos < kPositions; ++pos) {
    Tensor x = randomTensor({kBatch, 1, kIn}, 40 + uint32_t(pos));
    Tensor p = Tensor::of_ints({}, {pos});
    Tensor got = run(model, "append", {&x, &p});
    // Reference: keys = x W^T + b written at [:, pos, :].
    for (int64_t i = 0; i < kBatch; ++i)
      for (int64_t k = 0; k < kKey; ++k) {
        double s = b[size_t(k)];
        for (int64_t c = 0; c < kIn; ++c)
          s += double(x.data()[i * kIn + c]) * w[size_t(k * kIn + c)];
        cache[size_t((i * kPositions + pos) * kKey + k)] = s;
      }
    EXPECT_LT(relErr(got, cache), 1e-6) << "cache after appending " << pos;
    EXPECT_LT(relErr(model.params().get("cache.k"), cache), 1e-6)
        << "the buffer keeps it, position " << pos;

    Tensor q = randomTensor({kBatch, 1, kKey}, 60 + uint32_t(pos));
    Tensor s = run(model, "scores", {&q, &p});
    for (int64_t i = 0; i < kBatch; ++i)
      for (int64_t t = 0; t < kPositions; ++t) {
        const float score = s.data()[i * kPositions + t];
        if (t > pos) {
          EXPECT_EQ(score, -1e30f) << "masked: batch " << i << " t " << t;
          continue;
        }
        double want = 0;
        for (int64_t k = 0; k < kKey; ++k)
          want += double(q.data()[i * kKey + k]) *
                  cache[size_t((i * kPositions + t) * kKey + k)];
        EXPECT_NEAR(score, want, 1e-5 * std::max(1.0, std::abs(want)));
      }
  }
}

TYPED_TEST_P(KvCache, PositionPastTheEndIsAnErrorAndWritesNothing) {
  TypeParam model(/*seed=*/4);
  Tensor x = randomTensor({kBatch, 1, kIn}, 70);
  Tensor last = Tensor::of_ints({}, {kPositions - 1});
  run(model, "append", {&x, &last});
  const Values before = toDoubles(model.params().get("cache.k"));
  for (int32_t bad : {int32_t(kPositions), -1}) {
    Tensor p = Tensor::of_ints({}, {bad});
    try {
      run(model, "append", {&x, &p});
      FAIL() << "position " << bad << " must fail";
    } catch (const kiln::rt::Error &e) {
      EXPECT_NE(std::string(e.what()).find("cache.k: position " +
                                           std::to_string(bad) +
                                           " is outside [0, 5]"),
                std::string::npos)
          << e.what();
    }
    EXPECT_EQ(toDoubles(model.params().get("cache.k")), before);
  }
}

REGISTER_TYPED_TEST_SUITE_P(KvCache, AppendsInPlaceAndScoresReadTheCache,
                            PositionPastTheEndIsAnErrorAndWritesNothing);

} // namespace kiln::test::kv_cache
