// Softmax cross-entropy against integer targets
// (tests/e2e/models/cross_entropy.cpp), compiled as users compile it,
// against PyTorch's definition written here in double: rows of 7, 37 (not
// whole vectors) and 256 classes, 100 rows per sample (several parallel
// tasks at batch 3), a lone row, a logit of 1000 in each row's tail (the
// row maximum must be taken out, over every lane); the logits' gradient by
// central finite differences (a lone row as a scalar loss too); a target
// outside the classes stops the kernel with an error (on a GPU: is clamped).
// Batches 1 and 3; every kernel variant of the portable build (AVX-512, AVX2,
// baseline) and the GPU schedules through ctest. Built a second time as
// cross_entropy_autoschedule_test, on the model built under Adams2019
// (KILN_CROSS_ENTROPY_MODEL), with a batch of 130 too: above the
// autoscheduler's estimates, so that its kernels run, not their twins.
#ifndef KILN_CROSS_ENTROPY_MODEL
#define KILN_CROSS_ENTROPY_MODEL cross_entropy_ops
#define KILN_CROSS_ENTROPY_BATCHES 1, 3
#endif
#define KILN_STRINGIFY(x) #x
#define KILN_HEADER(model) KILN_STRINGIFY(model.h)
#include KILN_HEADER(KILN_CROSS_ENTROPY_MODEL)
#include "reference.h"

#include "kiln/runtime/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
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
using Model = kiln::models::KILN_CROSS_ENTROPY_MODEL::Model;

constexpr double kForwardTol = 1e-5;

// torch.nn.functional.cross_entropy(x, t, reduction='none'), classes last:
// log(sum_c exp(x[c])) - x[t] per row, in double (exp(1000) overflows
// double too: the sum is taken relative to the row's first logit, shifted
// up by 1000 when the row holds one, which keeps every term finite).
Values crossEntropy(const Values &x, const std::vector<int32_t> &t,
                    size_t classes) {
  Values loss(t.size());
  for (size_t row = 0; row < t.size(); ++row) {
    const double *r = x.data() + row * classes;
    const double shift = *std::max_element(r, r + classes) >= 500 ? 1000 : 0;
    double s = 0;
    for (size_t c = 0; c < classes; ++c)
      s += std::exp(r[c] - shift);
    loss[row] = std::log(s) + shift - r[size_t(t[row])];
  }
  return loss;
}

Tensor randomTargets(std::vector<int64_t> shape, int classes, uint32_t seed) {
  Tensor t(std::move(shape), kiln::rt::DType::i32);
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int32_t> dist(0, classes - 1);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.ints()[i] = dist(gen);
  return t;
}

std::vector<int32_t> targetsOf(const Tensor &t) {
  return {t.ints(), t.ints() + t.numel()};
}

class CrossEntropy : public ::testing::TestWithParam<int64_t> {};

TEST_P(CrossEntropy, LossMatchesTheDefinition) {
  const int64_t n = GetParam();
  Model m(1);
  struct Case {
    const char *entry;
    std::vector<int64_t> shape;
  };
  for (const Case &c : {Case{"rows7", {n, 3, 7}}, Case{"rows37", {n, 3, 37}},
                        Case{"rows256", {n, 100, 256}}, Case{"one_row", {7}}}) {
    const int classes = int(c.shape.back());
    Tensor x = randomTensor(c.shape, uint32_t(classes));
    const Tensor t = randomTargets({c.shape.begin(), c.shape.end() - 1},
                                   classes, uint32_t(classes + 1));
    // One logit of 1000 per row, in the last lanes (the guarded tail where
    // the row is not whole vectors): exp(1000) overflows unless the row's
    // maximum is taken out, and a maximum of only some lanes is wrong.
    for (int64_t row = 0; row < x.numel() / classes; ++row)
      x.data()[row * classes + classes - 1 - row % 2] = 1000;
    const Values want =
        crossEntropy(toDoubles(x), targetsOf(t), size_t(classes));
    EXPECT_LT(
        relErr(m.session().run(c.entry, std::vector<const Tensor *>{&x, &t})[0],
               want),
        kForwardTol)
        << c.entry;
  }
}

// loss = sum(cross_entropy(x + offset, t) * r), and the mean over 100 rows
// of 256 classes: SGD lr 1 moves the offset by minus its gradient.
TEST_P(CrossEntropy, GradientMatchesFiniteDifferences) {
  const int64_t n = GetParam();
  Model m(1);
  auto &params = m.session().params();
  {
    assign(params.get("offset.x7"), toDoubles(randomTensor({1, 3, 7}, 5)));
    Values off = toDoubles(params.get("offset.x7"));
    const Tensor x = randomTensor({n, 3, 7}, 6, -2, 2),
                 r = randomTensor({n, 3}, 7);
    const Tensor t = randomTargets({n, 3}, 7, 8);
    const Values xd = toDoubles(x), rd = toDoubles(r);
    auto loss = [&] {
      Values h = xd;
      for (size_t i = 0; i < h.size(); ++i)
        h[i] += off[i % off.size()];
      return dot(crossEntropy(h, targetsOf(t), 7), rd);
    };
    expectSgdStepsMatch(m.session(), "train7", {&x, &t, &r}, loss,
                        {{"offset.x7", &off}});
  }
  {
    // The gradient of a mean over 100 n rows is small: scaled up by the
    // row count, it is compared at the same relative tolerance.
    assign(params.get("offset.x256"), toDoubles(randomTensor({256}, 9)));
    Values off = toDoubles(params.get("offset.x256"));
    const Tensor x = randomTensor({n, 100, 256}, 10, -3, 3);
    const Tensor t = randomTargets({n, 100}, 256, 11);
    const Values xd = toDoubles(x);
    const double rows = double(n * 100);
    auto loss = [&] {
      Values h = xd;
      for (size_t i = 0; i < h.size(); ++i)
        h[i] += off[i % off.size()];
      double s = 0;
      for (double l : crossEntropy(h, targetsOf(t), 256))
        s += l;
      return s / rows;
    };
    const Values before = off;
    const double want = loss();
    const Values g = kiln::test::numericGradient(loss, off);
    const double got =
        m.session()
            .run("train256", std::vector<const Tensor *>{&x, &t})[0]
            .data()[0];
    EXPECT_NEAR(got, want, 1e-5 * want);
    EXPECT_LT(kiln::test::sgdStepError(before, params.get("offset.x256"), g,
                                       kiln::test::maxAbs(g)),
              2e-3);
  }
  {
    // A scalar loss: its gradient is seeded by a constant 1.
    assign(params.get("offset.x37"), toDoubles(randomTensor({37}, 14)));
    Values off = toDoubles(params.get("offset.x37"));
    const Tensor x = randomTensor({37}, 15, -2, 2);
    const Tensor t = Tensor::of_ints({}, {36});
    const Values xd = toDoubles(x);
    auto loss = [&] {
      Values h = xd;
      for (size_t i = 0; i < h.size(); ++i)
        h[i] += off[i];
      return crossEntropy(h, {36}, 37)[0];
    };
    expectSgdStepsMatch(m.session(), "train_row", {&x, &t}, loss,
                        {{"offset.x37", &off}});
  }
}

TEST_P(CrossEntropy, TargetOutsideTheClassesIsAnError) {
  const int64_t n = GetParam();
  Model m(1);
  const Tensor x = randomTensor({n, 3, 7}, 12);
  Tensor t = randomTargets({n, 3}, 7, 13);
  t.ints()[t.numel() - 1] = 7;
  const std::vector<const Tensor *> in{&x, &t};
  if (m.session().device() != kiln::rt::Device::cpu) {
    // A GPU kernel cannot stop with a message (scatter.h, checked_index):
    // the class is clamped into [0, 7), never read outside the row.
    Tensor last = t;
    last.ints()[last.numel() - 1] = 6;
    EXPECT_EQ(m.session().run("rows7", in)[0].values().back(),
              m.session()
                  .run("rows7", std::vector<const Tensor *>{&x, &last})[0]
                  .values()
                  .back());
    return;
  }
  try {
    m.session().run("rows7", in);
    ADD_FAILURE() << "a target of 7 among 7 classes ran";
  } catch (const kiln::rt::Error &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "kiln.cross_entropy: index 7 is outside [0, 7)"),
              std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Batches, CrossEntropy,
                         ::testing::Values(KILN_CROSS_ENTROPY_BATCHES));

} // namespace
