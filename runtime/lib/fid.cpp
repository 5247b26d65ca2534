#include "kiln/runtime/fid.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kiln::rt {
namespace {

constexpr int kMaxSweeps = 100;
constexpr double kTolerance = 1e-15;

size_t at(int64_t n, int64_t i, int64_t j) {
  return static_cast<size_t>(i * n + j);
}

// Squares of the strictly upper triangle, and of everything.
void norms(const std::vector<double> &a, int64_t n, double &off, double &all) {
  off = all = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i; j < n; ++j) {
      const double v = a[at(n, i, j)] * a[at(n, i, j)];
      all += i == j ? v : 2 * v;
      if (j > i)
        off += v;
    }
}

} // namespace

FeatureStats feature_stats(std::span<const float> rows, int64_t count,
                           int64_t dim) {
  if (count < 2 || dim < 1 || static_cast<int64_t>(rows.size()) != count * dim)
    throw Error(fmt::format("feature statistics need at least 2 vectors of "
                            "at least 1 value; got {} values as {} x {}",
                            rows.size(), count, dim));
  FeatureStats s;
  s.count = count;
  s.dim = dim;
  s.mean.assign(static_cast<size_t>(dim), 0.0);
  for (int64_t r = 0; r < count; ++r)
    for (int64_t k = 0; k < dim; ++k) {
      const float v = rows[at(dim, r, k)];
      if (!std::isfinite(v))
        throw Error(fmt::format("feature {} of vector {} is {}", k, r, v));
      s.mean[static_cast<size_t>(k)] += v;
    }
  for (double &m : s.mean)
    m /= static_cast<double>(count);

  // Upper triangle of sum (x - mu)(x - mu)^T, then mirrored.
  s.covariance.assign(static_cast<size_t>(dim * dim), 0.0);
  std::vector<double> d(static_cast<size_t>(dim));
  for (int64_t r = 0; r < count; ++r) {
    for (int64_t k = 0; k < dim; ++k)
      d[static_cast<size_t>(k)] = static_cast<double>(rows[at(dim, r, k)]) -
                                  s.mean[static_cast<size_t>(k)];
    for (int64_t i = 0; i < dim; ++i) {
      const double di = d[static_cast<size_t>(i)];
      double *row = s.covariance.data() + i * dim;
      for (int64_t j = i; j < dim; ++j)
        row[j] += di * d[static_cast<size_t>(j)];
    }
  }
  const double scale = 1.0 / static_cast<double>(count - 1);
  for (int64_t i = 0; i < dim; ++i)
    for (int64_t j = i; j < dim; ++j) {
      s.covariance[at(dim, i, j)] *= scale;
      s.covariance[at(dim, j, i)] = s.covariance[at(dim, i, j)];
    }
  return s;
}

FeatureStats feature_stats(const Tensor &features) {
  if (features.rank() != 2)
    throw Error(
        fmt::format("features {}: expected [N, D]", features.shape_string()));
  return feature_stats(features.values(), features.dim(0), features.dim(1));
}

SymmetricEigen symmetric_eigen(std::span<const double> input, int64_t n) {
  if (n < 1 || static_cast<int64_t>(input.size()) != n * n)
    throw Error(fmt::format("symmetric_eigen: {} values are not a {} x {} "
                            "matrix",
                            input.size(), n, n));
  // The working copy, symmetric from the upper triangle.
  std::vector<double> a(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i; j < n; ++j) {
      const double v = input[at(n, i, j)];
      if (!std::isfinite(v))
        throw Error(
            fmt::format("symmetric_eigen: element ({}, {}) is {}", i, j, v));
      a[at(n, i, j)] = a[at(n, j, i)] = v;
    }
  SymmetricEigen e;
  e.vectors.assign(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    e.vectors[at(n, i, i)] = 1.0;

  double off = 0, all = 0;
  norms(a, n, off, all);
  const double threshold = kTolerance * kTolerance * all;
  while (off > threshold && off > 0 && e.sweeps < kMaxSweeps) {
    ++e.sweeps;
    for (int64_t p = 0; p < n - 1; ++p)
      for (int64_t q = p + 1; q < n; ++q) {
        const double apq = a[at(n, p, q)];
        if (apq == 0)
          continue;
        const double app = a[at(n, p, p)], aqq = a[at(n, q, q)];
        // After a few sweeps, an element too small to change either
        // diagonal entry is dropped (Numerical Recipes' jacobi).
        if (e.sweeps > 4 &&
            std::abs(app) + 100 * std::abs(apq) == std::abs(app) &&
            std::abs(aqq) + 100 * std::abs(apq) == std::abs(aqq)) {
          a[at(n, p, q)] = a[at(n, q, p)] = 0;
          continue;
        }
        // The rotation J (c at pp and qq, s at pq, -s at qp) with
        // (J^T A J)_pq = 0: t = tan(angle) is the smaller root of
        // t^2 + 2 theta t - 1 = 0.
        const double theta = (aqq - app) / (2 * apq);
        const double t =
            std::abs(theta) > 1e150
                ? 0.5 / theta
                : (theta >= 0 ? 1.0 : -1.0) /
                      (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < n; ++k) { // A J
          const double akp = a[at(n, k, p)], akq = a[at(n, k, q)];
          a[at(n, k, p)] = c * akp - s * akq;
          a[at(n, k, q)] = s * akp + c * akq;
        }
        for (int64_t k = 0; k < n; ++k) { // J^T (A J)
          const double apk = a[at(n, p, k)], aqk = a[at(n, q, k)];
          a[at(n, p, k)] = c * apk - s * aqk;
          a[at(n, q, k)] = s * apk + c * aqk;
        }
        a[at(n, p, q)] = a[at(n, q, p)] = 0;
        for (int64_t k = 0; k < n; ++k) { // V J
          const double vkp = e.vectors[at(n, k, p)],
                       vkq = e.vectors[at(n, k, q)];
          e.vectors[at(n, k, p)] = c * vkp - s * vkq;
          e.vectors[at(n, k, q)] = s * vkp + c * vkq;
        }
      }
    norms(a, n, off, all);
  }
  e.values.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    e.values[static_cast<size_t>(i)] = a[at(n, i, i)];
  return e;
}

std::vector<double> sqrt_psd(std::span<const double> a, int64_t n,
                             int64_t *clamped) {
  const SymmetricEigen e = symmetric_eigen(a, n);
  std::vector<double> roots(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    const double v = e.values[static_cast<size_t>(k)];
    if (v < 0 && clamped != nullptr)
      ++*clamped;
    roots[static_cast<size_t>(k)] = std::sqrt(std::max(v, 0.0));
  }
  std::vector<double> r(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i; j < n; ++j) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k)
        sum += e.vectors[at(n, i, k)] * roots[static_cast<size_t>(k)] *
               e.vectors[at(n, j, k)];
      r[at(n, i, j)] = r[at(n, j, i)] = sum;
    }
  return r;
}

FrechetDistance frechet_distance(const FeatureStats &a, const FeatureStats &b) {
  if (a.dim != b.dim || a.dim < 1)
    throw Error(fmt::format("Fréchet distance between features of different "
                            "sizes ({} and {})",
                            a.dim, b.dim));
  const int64_t n = a.dim;
  FrechetDistance f;
  for (int64_t k = 0; k < n; ++k) {
    const double d =
        a.mean[static_cast<size_t>(k)] - b.mean[static_cast<size_t>(k)];
    f.mean_term += d * d;
    f.trace_a += a.covariance[at(n, k, k)];
    f.trace_b += b.covariance[at(n, k, k)];
  }
  // M = R S_b R with R = S_a^1/2; only the upper triangle is used.
  const std::vector<double> r = sqrt_psd(a.covariance, n, &f.clamped);
  std::vector<double> rs(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < n; ++k) {
      const double rik = r[at(n, i, k)];
      for (int64_t j = 0; j < n; ++j)
        rs[at(n, i, j)] += rik * b.covariance[at(n, k, j)];
    }
  std::vector<double> m(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i; j < n; ++j) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k)
        sum += rs[at(n, i, k)] * r[at(n, k, j)];
      m[at(n, i, j)] = m[at(n, j, i)] = sum;
    }
  const SymmetricEigen e = symmetric_eigen(m, n);
  for (double v : e.values) {
    if (v < 0)
      ++f.clamped;
    f.trace_sqrt += std::sqrt(std::max(v, 0.0));
  }
  // >= 0 in exact arithmetic; a negative result is rounding (identical or
  // nearly identical sets) and is reported as 0.
  f.distance =
      std::max(0.0, f.mean_term + f.trace_a + f.trace_b - 2 * f.trace_sqrt);
  return f;
}

} // namespace kiln::rt
