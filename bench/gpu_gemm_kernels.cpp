// The kernels of gpu_gemm_bench: C[M, N] = A[M, K] @ B[K, N] with every
// size known only at run time, scheduled by schedule_matmul for the target
// they are built for (KILN_CUDA_TARGET: the GPU schedule of
// gpu_schedule.cpp); the same with A stored [K, M], the shape of a weight
// gradient (x^T dy, K = the rows of a batch: schedule_matmul splits K);
// candidate tilings.
#include "kiln/halide/kernel_support.h"

namespace {

using namespace Halide;
namespace kh = kiln::halide;

template <bool TransposeA>
class GpuGemm : public Generator<GpuGemm<TransposeA>> {
public:
  // A: (k, m), or (m, k) stored [K, M]; B: (n, k).
  GeneratorInput<Buffer<float>> in0{"in0", 2};
  GeneratorInput<Buffer<float>> in1{"in1", 2};
  GeneratorOutput<Buffer<float>> out0{"out0", 2};
  Var d0{"d0"}, d1{"d1"};
  kh::Matmul mm0;

  void generate() {
    mm0 = kh::matmul(in0, in1, in0.dim(TransposeA ? 1 : 0).extent(),
                     {.transpose_a = TransposeA});
    out0(d0, d1) = mm0.result(d0, d1);
  }
  void schedule() {
    const int n = 4096;
    kh::set_estimates(this->in0, {n, n});
    kh::set_estimates(this->in1, {n, n});
    kh::set_estimates(this->out0, {n, n});
    kh::schedule_matmul(mm0, this->out0, d0, d1, this->get_target());
  }
};

using GpuGemmNN = GpuGemm<false>;
using GpuGemmTN = GpuGemm<true>;

// Candidates measured against the library's schedule: its pattern (blocks
// of BlockN x BlockM outputs, ThreadN x ThreadM accumulators per thread in
// registers, guarded edges) with other block and thread tiles.
template <int BlockN, int BlockM, int ThreadN, int ThreadM>
class GpuGemmTiles
    : public Generator<GpuGemmTiles<BlockN, BlockM, ThreadN, ThreadM>> {
public:
  GeneratorInput<Buffer<float>> in0{"in0", 2};
  GeneratorInput<Buffer<float>> in1{"in1", 2};
  GeneratorOutput<Buffer<float>> out0{"out0", 2};
  Var d0{"d0"}, d1{"d1"};

  void generate() {
    const Var no, mo, ni, mi, nt, mt, nr, mr;
    const RDom r(0, in0.dim(0).extent());
    Func prod("prod");
    prod(d0, d1) += in0(r, d1) * in1(d0, r);
    out0(d0, d1) = prod(d0, d1);
    const TailStrategy guard = TailStrategy::GuardWithIf;
    out0.tile(d0, d1, no, mo, ni, mi, BlockN, BlockM, guard)
        .tile(ni, mi, nt, mt, nr, mr, ThreadN, ThreadM)
        .unroll(nr)
        .unroll(mr)
        .gpu_blocks(no, mo)
        .gpu_threads(nt, mt);
    prod.compute_at(out0, nt)
        .bound_storage(d0, ThreadN)
        .bound_storage(d1, ThreadM)
        .unroll(d0, ThreadN, guard)
        .unroll(d1, ThreadM, guard);
    prod.update()
        .reorder(d0, d1, r)
        .unroll(d0, ThreadN, guard)
        .unroll(d1, ThreadM, guard);
  }
  void schedule() {
    const int n = 4096;
    kh::set_estimates(in0, {n, n});
    kh::set_estimates(in1, {n, n});
    kh::set_estimates(out0, {n, n});
  }
};

// 128 threads of 4 x 8; 256 of 4 x 8; 256 of 4 x 4; 128 of 8 x 8.
using Tiles64x64 = GpuGemmTiles<64, 64, 4, 8>;
using Tiles128x64 = GpuGemmTiles<128, 64, 4, 8>;
using Tiles64x64Small = GpuGemmTiles<64, 64, 4, 4>;
using Tiles128x64Wide = GpuGemmTiles<128, 64, 8, 8>;

} // namespace

HALIDE_REGISTER_GENERATOR(GpuGemmNN, kiln_gpu_gemm)
HALIDE_REGISTER_GENERATOR(GpuGemmTN, kiln_gpu_gemm_tn)
HALIDE_REGISTER_GENERATOR(Tiles64x64, kiln_gpu_gemm_64x64_4x8)
HALIDE_REGISTER_GENERATOR(Tiles128x64, kiln_gpu_gemm_128x64_4x8)
HALIDE_REGISTER_GENERATOR(Tiles64x64Small, kiln_gpu_gemm_64x64_4x4)
HALIDE_REGISTER_GENERATOR(Tiles128x64Wide, kiln_gpu_gemm_128x64_8x8)
