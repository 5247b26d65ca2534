// Naive double-precision references for end-to-end tests: written for
// obviousness, not speed, and independent of everything under test.
#pragma once

#include "kiln/runtime/session.h"
#include "kiln/runtime/tensor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiln::test {

/// A row-major double matrix.
struct Matrix {
  int64_t rows = 0, cols = 0;
  std::vector<double> v;
  Matrix(int64_t r, int64_t c) : rows(r), cols(c), v(size_t(r * c)) {}
  double &at(int64_t i, int64_t j) { return v[size_t(i * cols + j)]; }
  double at(int64_t i, int64_t j) const { return v[size_t(i * cols + j)]; }
};

inline Matrix toMatrix(const rt::Tensor &t) {
  int64_t rows = t.rank() == 1 ? 1 : t.dim(0);
  Matrix m(rows, t.numel() / std::max<int64_t>(rows, 1));
  std::copy(t.data(), t.data() + t.numel(), m.v.begin());
  return m;
}

/// C = A * op(B): op(B) = B, or B^T when transposeB (a Linear weight).
inline Matrix matmul(const Matrix &a, const Matrix &b, bool transposeB) {
  int64_t n = transposeB ? b.rows : b.cols;
  Matrix c(a.rows, n);
  for (int64_t i = 0; i < a.rows; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t k = 0; k < a.cols; ++k)
        s += a.at(i, k) * (transposeB ? b.at(j, k) : b.at(k, j));
      c.at(i, j) = s;
    }
  return c;
}

/// y = x W^T + b, as torch.nn.Linear.
inline Matrix linear(const Matrix &x, const rt::Tensor &w,
                     const rt::Tensor &b) {
  Matrix y = matmul(x, toMatrix(w), /*transposeB=*/true);
  for (int64_t i = 0; i < y.rows; ++i)
    for (int64_t j = 0; j < y.cols; ++j)
      y.at(i, j) += b.data()[j];
  return y;
}

inline Matrix relu(Matrix m) {
  for (double &x : m.v)
    x = std::max(x, 0.0);
  return m;
}

/// max |got - want| / max |want|: the normwise relative error.
inline double relativeError(const rt::Tensor &got, const Matrix &want) {
  double err = 0, scale = 0;
  for (size_t i = 0; i < want.v.size(); ++i) {
    err = std::max(err, std::abs(double(got.data()[i]) - want.v[i]));
    scale = std::max(scale, std::abs(want.v[i]));
  }
  return err / std::max(scale, 1e-30);
}

/// A tensor's values in double, row-major.
inline std::vector<double> toDoubles(const rt::Tensor &t) {
  return std::vector<double>(t.data(), t.data() + t.numel());
}

/// Overwrites a tensor's values (e.g. a parameter) with `v`, rounded to f32.
inline void assign(rt::Tensor &t, const std::vector<double> &v) {
  if (v.size() != size_t(t.numel()))
    throw std::invalid_argument("assign: " + std::to_string(v.size()) +
                                " values for a tensor of shape " +
                                t.shape_string());
  std::copy(v.begin(), v.end(), t.data());
}

/// max |got - want| / max |want|, or infinity when the sizes differ.
inline double relErr(const rt::Tensor &got, const std::vector<double> &want) {
  if (size_t(got.numel()) != want.size())
    return INFINITY;
  double err = 0, scale = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    err = std::max(err, std::abs(double(got.data()[i]) - want[i]));
    scale = std::max(scale, std::abs(want[i]));
  }
  return err / std::max(scale, 1e-30);
}

/// The sum of a[i] * b[i]: a loss sum(y * r) for a fixed r.
inline double dot(const std::vector<double> &a, const std::vector<double> &b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}

/// Central differences of `loss` with respect to each value of `p` (which
/// `loss` reads). The losses tested are smooth, so the step only has to
/// beat rounding.
inline std::vector<double> numericGradient(const std::function<double()> &loss,
                                           std::vector<double> &p) {
  const double h = 1e-6;
  std::vector<double> g(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    const double saved = p[i];
    p[i] = saved + h;
    const double up = loss();
    p[i] = saved - h;
    const double down = loss();
    p[i] = saved;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

inline double maxAbs(const std::vector<double> &v) {
  double m = 0;
  for (double x : v)
    m = std::max(m, std::abs(x));
  return m;
}

/// SGD with lr 1 moved `after` from `before` by -grad: returns
/// max |(before - after) - grad| / scale (infinity when the sizes differ).
inline double sgdStepError(const std::vector<double> &before,
                           const rt::Tensor &after,
                           const std::vector<double> &grad, double scale) {
  if (size_t(after.numel()) != grad.size() || before.size() != grad.size())
    return INFINITY;
  double err = 0;
  for (size_t i = 0; i < grad.size(); ++i)
    err = std::max(err,
                   std::abs((before[i] - double(after.data()[i])) - grad[i]));
  return err / std::max(scale, 1e-30);
}

/// Runs train entry `entry` (SGD lr 1) of `session` on `in` and checks its
/// loss against `loss()` and each offset's step against minus its
/// central-difference gradient, relative to the gradient's largest element.
inline void expectSgdStepsMatch(
    rt::Session &session, const char *entry, std::vector<const rt::Tensor *> in,
    const std::function<double()> &loss,
    std::initializer_list<std::pair<const char *, std::vector<double> *>>
        offsets,
    double tol = 2e-3) {
  const double want = loss();
  EXPECT_NEAR(session.run(entry, in)[0].data()[0], want,
              1e-4 * std::max(1.0, std::abs(want)));
  for (auto [name, off] : offsets) {
    const std::vector<double> before = *off;
    const std::vector<double> g = numericGradient(loss, *off);
    EXPECT_GT(maxAbs(g), 1e-2) << name;
    EXPECT_LT(sgdStepError(before, session.params().get(name), g, maxAbs(g)),
              tol)
        << name;
  }
}

inline rt::Tensor randomTensor(std::vector<int64_t> shape, uint32_t seed,
                               float lo = -1, float hi = 1) {
  rt::Tensor t(std::move(shape));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float &x : t.values())
    x = dist(gen);
  return t;
}

/// The counter-based generator as its documentation describes it
/// (docs/ir.md, compiler/halide/include/kiln/halide/random.h), written here
/// independently: the two uniforms of element `index` of stream `stream` in
/// call `counter`, u1 in (0, 1] and u2 in [0, 1).
struct DocumentedUniforms {
  double u1, u2;
};

inline uint32_t lowbias32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

inline DocumentedUniforms documentedUniforms(uint64_t seed, uint32_t counter,
                                             uint32_t stream, uint32_t index) {
  const uint32_t key = lowbias32(
      uint32_t(seed) +
      lowbias32(uint32_t(seed >> 32) + lowbias32(counter + lowbias32(stream))));
  const uint32_t a = lowbias32(key ^ lowbias32(2 * index));
  const uint32_t b = lowbias32(key ^ lowbias32(2 * index + 1));
  return {(double(a >> 8) + 1) / 16777216.0, double(b >> 8) / 16777216.0};
}

} // namespace kiln::test
