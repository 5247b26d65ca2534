// Result types computed at compile time, and the shapes written at run time.
#include <gtest/gtest.h>

#include <type_traits>

#include <kiln/dsl.h>

using namespace kiln::dsl;

namespace {

KILN_SYMBOL(heads);

template <class A, class B>
using Bcast = typename detail::Broadcast<A, B>::type;

// NumPy broadcasting, aligned at the trailing dimension.
static_assert(
    std::is_same_v<Bcast<Tensor<batch, 3>, Tensor<1, 3>>, Tensor<batch, 3>>);
static_assert(
    std::is_same_v<Bcast<Tensor<batch, 3>, Tensor<3>>, Tensor<batch, 3>>);
static_assert(std::is_same_v<Bcast<Tensor<4, 1>, Tensor<1, 3>>, Tensor<4, 3>>);
static_assert(
    std::is_same_v<Bcast<Tensor<1, 3>, Tensor<batch, 1>>, Tensor<batch, 3>>);
static_assert(
    std::is_same_v<Bcast<Tensor<>, Tensor<batch, 5>>, Tensor<batch, 5>>);
static_assert(
    std::is_same_v<Bcast<Tensor<2, 1, 3>, Tensor<seq, 1>>, Tensor<2, seq, 3>>);
static_assert(std::is_same_v<Bcast<Tensor<batch, heads, 1>, Tensor<heads, 8>>,
                             Tensor<batch, heads, 8>>);
static_assert(!detail::Broadcast<Tensor<batch, 3>, Tensor<batch, 4>>::ok);
static_assert(!detail::Broadcast<Tensor<2, 3>, Tensor<3, 3>>::ok);
// Symbol against a size: allowed by the type, checked at run time.
static_assert(detail::Broadcast<Tensor<batch, 3>, Tensor<4, 3>>::ok);

// Result types of other ops.
template <class F> using Ret = std::invoke_result_t<F>;
static_assert(std::is_same_v<decltype(sum<1>(std::declval<Tensor<batch, 6>>())),
                             Tensor<batch>>);
static_assert(
    std::is_same_v<decltype(mean<0, true>(std::declval<Tensor<batch, 6>>())),
                   Tensor<1, 6>>);
static_assert(
    std::is_same_v<decltype(sum<-1>(std::declval<Tensor<1, 6>>())), Tensor<1>>);
static_assert(
    std::is_same_v<decltype(mean(std::declval<Tensor<batch, 6>>())), Scalar>);
static_assert(
    std::is_same_v<decltype(matmul<true, true>(std::declval<Tensor<k, m>>(),
                                               std::declval<Tensor<n, k>>())),
                   Tensor<m, n>>);
static_assert(
    std::is_same_v<decltype(transpose(std::declval<Tensor<batch, 3>>())),
                   Tensor<3, batch>>);
static_assert(std::is_same_v<decltype(concat(std::declval<Tensor<batch, 2>>(),
                                             std::declval<Tensor<batch, 3>>(),
                                             std::declval<Tensor<batch, 4>>())),
                             Tensor<batch, 9>>);
static_assert(
    std::is_same_v<decltype(slice<0, 1, 2>(std::declval<Tensor<4, batch>>())),
                   Tensor<2, batch>>);
static_assert(
    std::is_same_v<decltype(split<2, 3>(std::declval<Tensor<batch, 5>>())),
                   std::tuple<Tensor<batch, 2>, Tensor<batch, 3>>>);
static_assert(std::is_same_v<decltype(Linear<4, 7>{
                                 "l"}(std::declval<Tensor<batch, 4>>())),
                             Tensor<batch, 7>>);
static_assert(std::is_same_v<decltype(2.0f * std::declval<Tensor<batch, 4>>()),
                             Tensor<batch, 4>>);

TEST(Shapes, RunTimeShapesMatchTypes) {
  ModuleBuilder mb("shapes");
  mb.infer("f", [&](Tensor<batch, heads, 1> a, Tensor<heads, 8> b) {
    return reshape<heads, batch, 8>(a * b);
  });
  std::string text = mb.mlir();
  EXPECT_NE(text.find(R"(kiln.symbols = ["batch", "heads", ""])"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(tensor<?x?x1xf32>, tensor<?x8xf32>) -> "
                      "tensor<?x?x8xf32>"),
            std::string::npos)
      << text;
}

TEST(Shapes, UserSymbolName) {
  EXPECT_STREQ(symbol_name(heads), "heads");
  EXPECT_STREQ(symbol_name(batch), "batch");
  EXPECT_STREQ(symbol_name(seq), "seq");
  EXPECT_STREQ(symbol_name(m), "m");
  EXPECT_STREQ(symbol_name(n), "n");
  EXPECT_STREQ(symbol_name(k), "k");
}

} // namespace
