//===- Interpreter.h - a naive double-precision kiln evaluator --*- C++ -*-===//
//
// Evaluates a function of the kiln dialect op by op in double precision,
// with loops written for obviousness. It is the independent reference the
// tests compare against: gradients from the autodiff pass against central
// finite differences of the forward function, and compiled kernels against
// the IR they came from. It is not used to run models.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace kiln::interp {

struct DTensor {
  std::vector<int64_t> shape;
  std::vector<double> data;

  DTensor() = default;
  explicit DTensor(std::vector<int64_t> s, double fill = 0);
  int64_t numel() const;
};

struct Environment {
  /// Parameter values by name; kiln.param_assign writes here.
  std::map<std::string, DTensor> params;
  /// Values of kiln.random_normal: (stream, element index) -> sample.
  std::function<double(int64_t stream, int64_t index)> random =
      [](int64_t, int64_t) { return 0.0; };
  /// Values of kiln.random_uniform: (stream, element index) -> sample.
  std::function<double(int64_t stream, int64_t index)> uniform =
      [](int64_t, int64_t) { return 0.5; };
};

/// Runs `func` on `args`; returns its results. Fails with a located error
/// on an op it cannot evaluate or a shape it did not expect.
mlir::FailureOr<std::vector<DTensor>> evaluate(mlir::func::FuncOp func,
                                               const std::vector<DTensor> &args,
                                               Environment &env);

} // namespace kiln::interp
