// Kernels for gemm_bench, written as kilnc would emit them: one Generator
// per GEMM shape. The rows (the batch) are symbolic; K and N are static and
// declared with constrain_shape; estimates are exact (the batch at
// kSymbolEstimate = 128 for the VAE layers), so the autoschedulers are
// judged on the shapes they are tuned for.
#include "kiln/halide/kernel_support.h"

namespace {

using namespace Halide;
namespace kh = kiln::halide;

// C[M, N] = op(A) @ op(B); op(B) = B [K, N], or B stored [N, K] with
// TransposeB (a Linear layer's weight); op(A) = A [M, K], or A stored
// [K, M] with TransposeA (a weight gradient: then K, the rows of a batch,
// is the symbolic size and M is static).
template <int M, int N, int K, bool TransposeB, bool StaticM = false,
          bool TransposeA = false>
class BenchGemm
    : public Generator<BenchGemm<M, N, K, TransposeB, StaticM, TransposeA>> {
public:
  GeneratorInput<Buffer<float>> in0{"in0", 2};
  GeneratorInput<Buffer<float>> in1{"in1", 2};
  GeneratorOutput<Buffer<float>> out0{"out0", 2};
  Var d0{"d0"}, d1{"d1"};
  kh::Matmul mm0;

  void generate() {
    const bool static_m = StaticM || TransposeA;
    if (TransposeA) {
      kh::constrain_shape(in0, {M, kh::kDynamic});
      kh::constrain_shape(in1, {N, kh::kDynamic});
    } else {
      kh::constrain_shape(in0, {K, StaticM ? M : kh::kDynamic});
      if (TransposeB) {
        kh::constrain_shape(in1, {K, N});
      } else {
        kh::constrain_shape(in1, {N, K});
      }
    }
    // K is exact for the estimate, as set_estimates below.
    mm0 = kh::matmul(in0, in1, in0.dim(TransposeA ? 1 : 0).extent(),
                     {.transpose_a = TransposeA, .transpose_b = TransposeB}, K);
    out0(d0, d1) = mm0.result(d0, d1);
    kh::constrain_shape(out0, {N, static_m ? M : kh::kDynamic}); // once defined
  }
  void schedule() {
    if (TransposeA) {
      kh::set_estimates(in0, {M, K});
      kh::set_estimates(in1, {N, K});
      kh::set_estimates(out0, {N, M});
      if (!this->auto_schedule) {
        kh::schedule_matmul(mm0, out0, d0, d1, this->get_target());
      }
      return;
    }
    kh::set_estimates(in0, {K, M});
    if (TransposeB) {
      kh::set_estimates(in1, {K, N});
    } else {
      kh::set_estimates(in1, {N, K});
    }
    kh::set_estimates(out0, {N, M});
    if (!this->auto_schedule) {
      kh::schedule_matmul(mm0, out0, d0, d1, this->get_target());
    }
  }
};

using Square256 = BenchGemm<256, 256, 256, false>;
using Square1024 = BenchGemm<1024, 1024, 1024, false>;
using Square1024T = BenchGemm<1024, 1024, 1024, true>;
// VAE Linear layers at batch 128 (models/vae: 784-512-256-32 and back).
using Enc1 = BenchGemm<128, 512, 784, true>;
using Enc2 = BenchGemm<128, 256, 512, true>;
using Mu = BenchGemm<128, 32, 256, true>;
using Dec1 = BenchGemm<128, 256, 32, true>;
using Dec2 = BenchGemm<128, 512, 256, true>;
using Dec3 = BenchGemm<128, 784, 512, true>;
// Batch-1 generation: a static single row selects the GEMV schedule.
using Gemv1024 = BenchGemm<1, 1024, 1024, true, true>;
// The GPT's MLP at batch 32 x 128 positions (MODELS.md): fc1 and fc2
// forward, fc2's input gradient, and both weight gradients (K = 4096 rows).
using GptFc1 = BenchGemm<4096, 512, 128, true>;
using GptFc2 = BenchGemm<4096, 128, 512, true>;
using GptFc2Dx = BenchGemm<4096, 512, 128, false>;
using GptFc2Dw = BenchGemm<512, 128, 4096, false, false, true>;
using GptFc1Dw = BenchGemm<128, 512, 4096, false, false, true>;

} // namespace

HALIDE_REGISTER_GENERATOR(Square256, kiln_bench_nn_256)
HALIDE_REGISTER_GENERATOR(Square1024, kiln_bench_nn_1024)
HALIDE_REGISTER_GENERATOR(Square1024T, kiln_bench_nt_1024)
HALIDE_REGISTER_GENERATOR(Enc1, kiln_bench_vae_784_512)
HALIDE_REGISTER_GENERATOR(Enc2, kiln_bench_vae_512_256)
HALIDE_REGISTER_GENERATOR(Mu, kiln_bench_vae_256_32)
HALIDE_REGISTER_GENERATOR(Dec1, kiln_bench_vae_32_256)
HALIDE_REGISTER_GENERATOR(Dec2, kiln_bench_vae_256_512)
HALIDE_REGISTER_GENERATOR(Dec3, kiln_bench_vae_512_784)
HALIDE_REGISTER_GENERATOR(Gemv1024, kiln_bench_gemv_1024)
HALIDE_REGISTER_GENERATOR(GptFc1, kiln_bench_gpt_fc1)
HALIDE_REGISTER_GENERATOR(GptFc2, kiln_bench_gpt_fc2)
HALIDE_REGISTER_GENERATOR(GptFc2Dx, kiln_bench_gpt_fc2_dx)
HALIDE_REGISTER_GENERATOR(GptFc2Dw, kiln_bench_gpt_fc2_dw)
HALIDE_REGISTER_GENERATOR(GptFc1Dw, kiln_bench_gpt_fc1_dw)
