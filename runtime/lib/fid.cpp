#include "kiln/runtime/fid.h"

#include "kiln/runtime/error.h"

#include <Eigen/Eigenvalues>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kiln::rt {
namespace {

size_t at(int64_t n, int64_t i, int64_t j) {
  return static_cast<size_t>(i * n + j);
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
  // Symmetric from the upper triangle.
  Eigen::MatrixXd a(n, n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i; j < n; ++j) {
      const double v = input[at(n, i, j)];
      if (!std::isfinite(v))
        throw Error(
            fmt::format("symmetric_eigen: element ({}, {}) is {}", i, j, v));
      a(i, j) = a(j, i) = v;
    }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(a);
  if (solver.info() != Eigen::Success)
    throw Error(fmt::format("symmetric_eigen: the {} x {} eigenproblem did "
                            "not converge",
                            n, n));
  SymmetricEigen e;
  e.values.assign(solver.eigenvalues().data(), solver.eigenvalues().data() + n);
  e.vectors.resize(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < n; ++k)
      e.vectors[at(n, i, k)] = solver.eigenvectors()(i, k);
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
