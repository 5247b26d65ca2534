// Errors found while the generator runs: symbolic shape mismatches and
// misuse. Each message names the op, the shapes and this file's line.
#include "dsl_test_support.h"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <kiln/dsl.h>

using namespace kiln::dsl;

namespace {

using kiln::dsl::test::error_of;

std::string here(int line) { return fmt::format("{}:{}:", __FILE__, line); }

TEST(Errors, AddDifferentSymbols) {
  ModuleBuilder mb("m");
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<batch, 3> x, Tensor<seq, 3> y) {
      line = __LINE__ + 1;
      return x + y;
    });
  });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "error: add: shapes Tensor<batch, 3> and "
                       "Tensor<seq, 3> do not broadcast (result dimension "
                       "0: batch vs seq)");
}

TEST(Errors, SymbolAgainstStaticSize) {
  ModuleBuilder mb("m");
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<batch, 3> x, Tensor<4, 3> y) {
      line = __LINE__ + 1;
      return max(x, y);
    });
  });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "max: shapes Tensor<batch, 3> and Tensor<4, 3>");
  EXPECT_CONTAINS(msg, "batch vs 4");
}

TEST(Errors, LinearOnSymbolicFeatures) {
  ModuleBuilder mb("m");
  Linear<784, 512> enc{"enc"};
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<batch, k> x) {
      line = __LINE__ + 1;
      return enc(x);
    });
  });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "Linear<784, 512>: the input's last dimension must be "
                       "784 (in_features), got Tensor<batch, k>");
}

TEST(Errors, MatmulInnerSymbols) {
  ModuleBuilder mb("m");
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<m, k> a, Tensor<n, k> b) {
      line = __LINE__ + 1;
      return matmul(a, b);
    });
  });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "matmul: inner dimensions of Tensor<m, k> and "
                       "Tensor<n, k> differ (k vs n)");
}

TEST(Errors, ReshapeMustKeepSymbols) {
  ModuleBuilder mb("m");
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<batch, 6> x) {
      line = __LINE__ + 1;
      return reshape<seq, 6>(x);
    });
  });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "reshape: cannot reshape Tensor<batch, 6> to "
                       "Tensor<seq, 6>");
}

TEST(Errors, ReshapeMergeMustKeepTheSymbols) {
  ModuleBuilder mb("m");
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<batch, m, 6> x) {
      line = __LINE__ + 1;
      return reshape<times<batch, seq>, 6>(x);
    });
  });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "reshape: cannot reshape Tensor<batch, m, 6> to "
                       "Tensor<batch*seq, 6>: the symbolic dimensions differ "
                       "(6*batch*m vs 6*batch*seq)");
}

TEST(Errors, BatchedMatmulBatchDimsDiffer) {
  ModuleBuilder mb("m");
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<batch, 4, 3> a, Tensor<seq, 3, 5> b) {
      line = __LINE__ + 1;
      return matmul(a, b);
    });
  });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "matmul: shapes Tensor<batch> and Tensor<seq> do not "
                       "broadcast");
}

TEST(Errors, AttentionBatchDimsDiffer) {
  ModuleBuilder mb("m");
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<batch, 2, 3, 4> q, Tensor<seq, 2, 5, 4> k) {
      line = __LINE__ + 1;
      return scaled_dot_product_attention(q, k, k);
    });
  });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "scaled_dot_product_attention: q [..., S, D], k "
                       "[..., K, D] and v [..., K, Dv] must share their "
                       "batch dimensions, got Tensor<batch, 2, 3, 4>");
}

TEST(Errors, AttentionKeyMaskSize) {
  ModuleBuilder mb("m");
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<batch, 2, 3, 4> q, Tensor<batch, 2, 5, 4> k,
                      Tensor<batch, 1, 6> pad) {
      line = __LINE__ + 1;
      return scaled_dot_product_attention(q, k, k, pad);
    });
  });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "the key mask must be [..., K] with q's batch "
                       "dimensions (or 1) and K = 5, got Tensor<batch, 1, 6>");
}

TEST(Errors, ConcatOtherDimsDiffer) {
  ModuleBuilder mb("m");
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<batch, 2> a, Tensor<seq, 3> b) {
      line = __LINE__ + 1;
      return concat(a, b);
    });
  });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "concat: cannot concatenate Tensor<batch, 2> and "
                       "Tensor<seq, 3> along axis 1");
}

TEST(Errors, DuplicateParameterName) {
  ModuleBuilder mb("m");
  Param<3> a{"w", init::zeros()};
  const int line = __LINE__ + 1;
  std::string msg = error_of([&] { Param<3> b{"w", init::ones()}; });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "parameter 'w' is declared twice");
}

TEST(Errors, DuplicateEntryName) {
  ModuleBuilder mb("m");
  mb.infer("f", [](Tensor<3> x) { return x; });
  std::string msg =
      error_of([&] { mb.infer("f", [](Tensor<3> x) { return x; }); });
  EXPECT_CONTAINS(msg, "entry point 'f' is defined twice");
}

TEST(Errors, TensorFromAnotherEntry) {
  ModuleBuilder mb("m");
  Tensor<3> kept;
  mb.infer("f", [&](Tensor<3> x) {
    kept = x;
    return x;
  });
  std::string msg =
      error_of([&] { mb.infer("g", [&](Tensor<3> y) { return y + kept; }); });
  EXPECT_CONTAINS(msg, "an operand comes from entry point 'f'");
  // The failed entry point is dropped; the module is still usable.
  EXPECT_EQ(mb.mlir().find("@g"), std::string::npos);
}

TEST(Errors, EmptyTensorAndNoEntry) {
  ModuleBuilder mb("m");
  std::string msg = error_of(
      [&] { mb.infer("f", [&](Tensor<3> x) { return x + Tensor<3>{}; }); });
  EXPECT_CONTAINS(msg, "an operand is an empty Tensor");
  Param<3> p{"p", init::ones()};
  msg = error_of([&] { relu(p); });
  EXPECT_CONTAINS(msg, "relu: ops can only be used while an entry point is "
                       "traced");
}

TEST(Errors, NoBuilder) {
  std::string msg = error_of([] { Param<3> p{"p", init::ones()}; });
  EXPECT_CONTAINS(msg, "parameter: no model is being built");
}

TEST(Errors, WrongNumberOfNames) {
  ModuleBuilder mb("m");
  std::string msg = error_of(
      [&] { mb.infer("f", [](Tensor<3> x) { return x; }).inputs("a", "b"); });
  EXPECT_CONTAINS(msg, "entry point 'f' has 1 inputs, but 2 names were given");
}

TEST(Errors, ConstantValueCount) {
  ModuleBuilder mb("m");
  std::string msg = error_of([&] {
    mb.infer("f", [](Tensor<3> x) { return x + constant<3>({1.f, 2.f}); });
  });
  EXPECT_CONTAINS(msg, "constant: 2 values given for Tensor<3>");
}

// A slice of symbolic length may go into a buffer along the written axis
// (a prompt's keys; the plan checks its length when it runs), but not a
// value whose other dimensions are symbolic.
TEST(Errors, WriteSliceSymbolicOnlyAlongTheAxis) {
  ModuleBuilder mb("m");
  Buffer<1, 8, 4> cache{"cache"};
  mb.infer("prompt", [&](Tensor<1, seq, 4> v, Ints<> at) {
    return write_slice<1>(cache, v, at);
  });
  int line = 0;
  std::string msg = error_of([&] {
    mb.infer("f", [&](Tensor<1, 2, k> v, Ints<> at) {
      line = __LINE__ + 1;
      return write_slice<1>(cache, v, at);
    });
  });
  EXPECT_CONTAINS(msg, here(line));
  EXPECT_CONTAINS(msg, "write_slice: Tensor<1, 2, k> does not fit "
                       "Tensor<1, 8, 4> along axis 1");
}

} // namespace
