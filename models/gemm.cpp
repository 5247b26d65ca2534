// A single matrix product with every dimension symbolic: the smallest model
// that exercises the matmul kernel path at any size.
#include <kiln/dsl.h>

using namespace kiln::dsl;

struct Gemm : Model {
  Tensor<m, n> matmul(Tensor<m, k> a, Tensor<k, n> b) {
    return kiln::dsl::matmul(a, b);
  }
};

KILN_MODEL(Gemm, "gemm") {
  infer("matmul", &Gemm::matmul).inputs("a", "b").outputs("c");
}
