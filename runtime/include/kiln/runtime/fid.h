// Fréchet distance between two sets of feature vectors (FID, Heusel et al.
// 2017, when the features come from a fixed classifier), and the linear
// algebra it needs: feature means and covariances in double, and symmetric
// eigendecompositions (Eigen's SelfAdjointEigenSolver).
//
//   d^2 = |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a^1/2 S_b S_a^1/2)^1/2)
//
// The last term equals tr((S_a S_b)^1/2), the form pytorch-fid evaluates with
// scipy's general sqrtm (plus an eps * I offset when it fails, and dropping
// an imaginary part). S_a^1/2 S_b S_a^1/2 is similar to S_a S_b but
// symmetric positive semi-definite, so here both square roots come from
// symmetric eigendecompositions: real, stable, no offsets.
//
// Eigenvalues that come out negative are clamped to 0 before the square
// root. Mathematically they are >= 0 (covariances and S_a^1/2 S_b S_a^1/2 are
// PSD); in floating point an eigenvalue that is exactly 0 (a feature with no
// variance, e.g. a dead ReLU unit, or fewer samples than dimensions) comes
// out as a tiny number of either sign, about 1e-16 times the largest. The
// number clamped is reported (FrechetDistance::clamped) so that a large
// count can be noticed.
#pragma once

#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <span>
#include <vector>

namespace kiln::rt {

// The sample mean and covariance of `count` feature vectors of size `dim`.
struct FeatureStats {
  int64_t count = 0;
  int64_t dim = 0;
  std::vector<double> mean;       // [dim]
  std::vector<double> covariance; // [dim, dim], row-major, symmetric
};

// Mean and unbiased covariance (divided by count - 1, as numpy.cov and
// pytorch-fid) of the rows of `features` ([N, D], N >= 2), accumulated in
// double around the mean (two passes), so adding a constant to every row
// changes the mean only. Throws Error for another rank, N < 2 or
// non-finite values.
FeatureStats feature_stats(const Tensor &features);
FeatureStats feature_stats(std::span<const float> rows, int64_t count,
                           int64_t dim);

// A = V diag(values) V^T for a symmetric A.
struct SymmetricEigen {
  std::vector<double> values;  // [n], in no particular order
  std::vector<double> vectors; // [n, n], row-major; column k is vector k
};

// Eigen's SelfAdjointEigenSolver (Householder tridiagonalization, then
// implicit symmetric QR), in double. Only the upper triangle of `a`
// ([n, n], row-major) is read. Throws Error for non-finite input or if the
// solver does not converge.
SymmetricEigen symmetric_eigen(std::span<const double> a, int64_t n);

// The symmetric PSD square root V diag(sqrt(max(values, 0))) V^T of a
// symmetric matrix; `clamped`, if given, is increased by the number of
// negative eigenvalues set to 0.
std::vector<double> sqrt_psd(std::span<const double> a, int64_t n,
                             int64_t *clamped = nullptr);

struct FrechetDistance {
  double distance = 0;   // the squared Fréchet distance: what "FID" reports
                         // (rounding below 0 is reported as 0)
  double mean_term = 0;  // |mu_a - mu_b|^2
  double trace_a = 0;    // tr(S_a)
  double trace_b = 0;    // tr(S_b)
  double trace_sqrt = 0; // tr((S_a^1/2 S_b S_a^1/2)^1/2)
  int64_t clamped = 0;   // negative eigenvalues set to 0 (both roots)
};

// Throws Error when the dimensions differ.
FrechetDistance frechet_distance(const FeatureStats &a, const FeatureStats &b);

} // namespace kiln::rt
