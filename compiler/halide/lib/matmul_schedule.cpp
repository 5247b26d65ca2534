// CPU schedule for matmul kernels (GotoBLAS structure, written in Halide).
//
// Loop nest of the output, outermost first:
//   task (parallel)   = (column panel, row chunk) pairs
//     pack op(B) panel: cols x K floats, contiguous (b.in() compute_at task)
//     mo              = register blocks of `rows` rows in the chunk
//       result block  = cols x rows accumulators kept in registers
//                       (result compute_at mo; update loops k outside the
//                       unrolled block)
//       epilogue      = out over the same block, vectorized
//
// Measured on the 2-core Zen 5 (AVX-512) machine, fp32, JIT harness,
// OpenBLAS 0.3.21 with OPENBLAS_CORETYPE=SkylakeX in the same session:
//   * register block 4 vectors x 6 rows (24 of the 32 zmm registers hold
//     accumulators; the rest take the B row and the A broadcast): 1024^3
//     at 430-500 GFLOP/s vs OpenBLAS 445-462 (NN) / 407 (NT).
//   * packing the B panel (cols x K, contiguous) instead of reading B in
//     place: 1024^3 NN 382 -> 449 GFLOP/s. In place, successive k rows
//     are 4 KiB apart and alias in L1.
//   * the transposing pack (transpose_b) in tiles of one vector of n by 4
//     k, vectorized over n and unrolled over k (measured with the k tiles
//     outermost, before pack_rhs's order changed): 0.6 cycles/element vs 0.9
//     for a plain vectorized gather and 1.2 for 2-D vectorization; 1024^3
//     NT 418 -> 470 GFLOP/s. It is still ~15% of a 128-row GEMM (each
//     packed element feeds M/32 cycles of FMAs): Halide 14 cannot express
//     an in-register transpose.
//   * one task per column panel, each panel packed once per task: row
//     chunks of 48 rows (to get more tasks) cost 1024^3 434 -> 239 GFLOP/s
//     because the pack is then redone per chunk; so rows are chunked only
//     when there are too few panels to keep the threads busy (N = 32,
//     M = 128: 198 -> 264 GFLOP/s with 2 chunks).
// Narrow or short outputs get smaller blocks; every block is a Halide
// specialization on the output size, so any size (1x1x1, 7x13x5, odd
// batches) stays correct: ShiftInwards is only used where the extent is at
// least the block. A static row count below 6 with transpose_b (batch-1
// generation, declared with constrain_shape) gets a GEMV schedule instead,
// and a weight gradient with a long K (A stored [K, M]) a K-blocked one
// (schedule_k_blocked).
#include "gpu_schedule.h"
#include "kiln/halide/matmul.h"
#include "tiling.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiln::halide {

using namespace Halide;

namespace {

// Register block: `cols` output columns (a multiple of the vector width,
// or 1 for the scalar blocks) by `rows` output rows.
struct Block {
  int cols;
  int rows;
};

// Tasks wanted per kernel launch: 2 threads, and 2 tasks each so a slow
// task does not leave a core idle at the end.
constexpr int kTasks = 4;
// A row chunk must be tall enough to amortize packing its B panel
// (~0.6 cycles per element against 2 cycles per element per 64 rows of
// FMAs).
constexpr int kMinChunkRows = 48;
// k unrolling of the transposing pack: 0.60 cycles/element at 4, 0.63 at
// 8 and 16, 0.71 at 2, 0.90 at 1 (512x784 panel, one thread, with the k
// tiles outermost: see pack_rhs); 4 also keeps the code small (one pack
// per specialization). With K inside, 16 measured no better on Zen 4
// (gemm_bench, one thread: the VAE's products and GPT fc2 within
// 0.00-0.04x OpenBLAS of 4's).
constexpr int kPackUnroll = 4;
// GEMV schedule: used when the output has a static row count below the
// smallest register block (batch-1 generation) and B is stored [N, K].
constexpr int kGemvMaxRows = 6;
// Output columns per block (independent FMA chains, each a vector of k)...
constexpr int kGemvCols = 4;
// ...and blocks per parallel task (64 columns).
constexpr int kGemvBlocksPerTask = 16;
// K-blocked schedule: K chunk (the B panel's chunk, 64 columns x 128 k =
// 32 KiB, stays in L1; 64 and 128 measured alike, 256 7-10% slower, 512
// 12-18%: GPT fc2 dw on the Xeon, one thread), and the estimated K from
// which it is used. Below it the plain schedule is faster: at K = 128-512
// (the VAE's weight gradients at batch 128) keeping the task's result in
// memory, zeroed and then copied out, costs 10-28%; at K = 1024 the plain
// schedule is already slower, 83 GFLOP/s against 120 (512x784x1024).
constexpr int kChunk = 128;
constexpr int kLongK = 1024;

// Blocks from the fastest down, each guarded by the sizes it needs.
std::vector<Block> blocks_for(const Target &target, int vec) {
  if (target.has_feature(Target::AVX512)) {
    // 32 vector registers: 24 accumulators.
    return {{4 * vec, 6}, {2 * vec, 12}, {vec, 12}, {4 * vec, 1},
            {vec, 1},     {1, 8},        {1, 1}};
  }
  // 16 vector registers (AVX2, NEON): 12 accumulators.
  return {{2 * vec, 6}, {vec, 12}, {2 * vec, 1}, {vec, 1}, {1, 8}, {1, 1}};
}

// Blocks of the K-blocked schedule, preferred first. Its blocks cannot
// shift inwards (see k_blocked_chunk_rows), so one that divides the rows
// goes first: for M = 128 (GPT fc1's weight gradient, 128x512x4096) 4 x 6
// makes two row chunks that overlap and 4 x 4 (16 accumulators) one,
// 0.81-0.83x -> 0.97-0.99x OpenBLAS in a JIT harness (Xeon, one thread).
// With AVX2, 3 x 4 measured 0.81-0.85x against 0.75-0.77x for 2 x 4 on
// 512x128 and 128x512 (AVX2 kernels on the same Xeon).
std::vector<Block> k_blocked_blocks(const Target &target, int vec, int rows) {
  const std::vector<Block> preferred =
      target.has_feature(Target::AVX512)
          ? std::vector<Block>{{4 * vec, 6},
                               {4 * vec, 4},
                               {2 * vec, 12},
                               {2 * vec, 8}}
          : std::vector<Block>{
                {3 * vec, 4}, {2 * vec, 6}, {2 * vec, 4}, {vec, 12}, {vec, 8}};
  std::vector<Block> blocks;
  for (bool divides : {true, false})
    for (Block b : preferred)
      if ((rows % b.rows == 0) == divides)
        blocks.push_back(b);
  return blocks;
}

Expr ceil_div(const Expr &a, int b) { return (a + (b - 1)) / b; }

// Loop names shared by every specialization, so that compute_at finds them
// in all branches.
struct Loops {
  Var no{"mm_no"}, ni{"mm_ni"}, mo{"mm_mo"}, mi{"mm_mi"}, mt{"mm_mt"},
      task{"mm_task"};
};

void tile_output(Stage s, const Var &inner, const Var &outer,
                 const std::vector<Var> &batch, const Loops &l, Block b,
                 int vec, const Expr &n_extent, const Expr &m_extent,
                 const Expr &batch_extent) {
  // Split rows into chunks only when there are fewer column panels (times
  // batch indices) than tasks wanted, and never below kMinChunkRows rows
  // per chunk.
  const Expr panels = ceil_div(n_extent, b.cols) * batch_extent;
  const Expr row_blocks = ceil_div(m_extent, b.rows);
  const int min_chunk_blocks = (kMinChunkRows + b.rows - 1) / b.rows;
  const Expr chunks =
      clamp(kTasks / panels, 1, max(1, row_blocks / min_chunk_blocks));
  const Expr chunk_blocks = (row_blocks + chunks - 1) / chunks;

  s.split(inner, l.no, l.ni, b.cols, TailStrategy::ShiftInwards)
      .split(outer, l.mo, l.mi, b.rows, TailStrategy::ShiftInwards)
      .split(l.mo, l.mt, l.mo, chunk_blocks, TailStrategy::GuardWithIf)
      .reorder(l.ni, l.mi, l.mo, l.no, l.mt)
      .fuse(l.no, l.mt, l.task)
      .parallel(l.task);
  // Batch indices are independent products, already the outermost loops:
  // the outermost is parallel too (Halide nests the thread pool).
  if (!batch.empty())
    s.parallel(batch.back());
  if (b.cols >= vec) {
    s.vectorize(l.ni, vec);
  }
  s.unroll(l.ni).unroll(l.mi);
}

// C = A B^T with few rows: dot products along the contiguous k of both
// operands (rfactor into one vector of k lanes per output, then a
// horizontal sum), so B is streamed once and never transposed. Measured at
// M = 1, N = K = 1024: 0.21 ms with the panel schedule (the transposing pack
// dominates), 0.05 ms with this one.
void schedule_gemv(Matmul &mm, Func out, const Var &inner, const Var &outer,
                   int vec) {
  const Expr n_extent = out.output_buffer().dim(0).extent();
  const Var no("mm_no"), ni("mm_ni"), task("mm_task");
  auto tile = [&](Stage s, int cols) {
    s.split(inner, no, ni, cols, TailStrategy::ShiftInwards)
        .reorder(ni, outer, no)
        .split(no, task, no, kGemvBlocksPerTask, TailStrategy::GuardWithIf)
        .parallel(task)
        .unroll(ni)
        .unroll(outer);
  };
  tile(out.specialize(n_extent >= kGemvCols), kGemvCols);
  tile(out, 1);

  const RVar ko("mm_ko"), ki("mm_ki");
  const Var u("mm_lane");
  Func prod = mm.result;
  prod.compute_at(out, no).unroll(mm.n).unroll(mm.m);
  Func lanes = prod.update()
                   .split(mm.k.x, ko, ki, vec, TailStrategy::GuardWithIf)
                   .rfactor(ki, u);
  // The lanes' sum as one horizontal reduction (VectorReduce) per output
  // rather than a chain of `vec` scalar adds, which cost as much as the
  // block's loads: the GPT decode step's products (3.2 MB of weights) 50
  // -> 45 us, 73 GB/s from L3 where a plain read of 3.2 MB reaches 78-86
  // (Zen 4, 1 thread; docs/performance.md).
  prod.update().atomic().vectorize(ki).unroll(mm.n).unroll(mm.m);
  lanes.compute_at(out, no)
      .reorder_storage(u, mm.n, mm.m)
      .vectorize(u)
      .unroll(mm.n)
      .unroll(mm.m);
  lanes.update()
      .reorder(u, mm.n, mm.m, ko)
      .vectorize(u)
      .unroll(mm.n)
      .unroll(mm.m);
}

// Rows per task of the K-blocked schedule: whole blocks, at most `rows`,
// and not fewer than kMinChunkRows unless there is only one chunk or the
// rows are not whole blocks (then two chunks that overlap). A task's
// result is its blocks' running sums over the K chunks, and a block that
// shifted inwards would add its overlap twice, so the tasks shift
// instead: the last row chunk (and column panel) starts early enough to
// end at the last row. 0 when the rows or columns are too few for a task
// of whole blocks.
int k_blocked_chunk_rows(Block b, int cols, int rows) {
  if (cols < b.cols || rows < b.rows)
    return 0;
  const int panels = (cols + b.cols - 1) / b.cols;
  const int row_blocks = (rows + b.rows - 1) / b.rows;
  const int min_chunk_blocks = (kMinChunkRows + b.rows - 1) / b.rows;
  int chunks = std::clamp(kTasks / panels, 1,
                          std::max(1, row_blocks / min_chunk_blocks));
  if (rows % b.rows != 0)
    chunks = std::max(chunks, 2);
  const int chunk_rows = (row_blocks + chunks - 1) / chunks * b.rows;
  return chunk_rows <= rows ? chunk_rows : 0;
}

// Blocks per packed group of A's rows in the K-blocked schedule: the
// blocks of one cache line of rows, or 0 when the block's rows do not
// divide a line or the lines do not divide a task's rows. Blocks of 6 or
// 12 rows (groups of 48 rows, 24 KiB per chunk next to B's 32 KiB) are not
// packed: not measured apart (in the GPT step qkv's weight gradient,
// 384 rows in blocks of 6, took 4.56 ms per call read in place and 4.52
// packed).
constexpr int kLineFloats = 16; // a 64-byte cache line
int a_pack_blocks(Block b, int chunk_rows) {
  if (kLineFloats % b.rows != 0 || chunk_rows % kLineFloats != 0)
    return 0;
  return kLineFloats / b.rows;
}

// Packs op(B) for `consumer` (the product, or its rfactor) at `level`: a
// wrapper of b used only there, stored with n innermost.
void pack_rhs(Matmul &mm, Func consumer, LoopLevel level, int vec,
              const Expr &vector_wide) {
  Func rhs = mm.b.in(consumer);
  const std::vector<Var> args = rhs.args(); // b's dims: (n, k) or (k, n)
  Var pn = mm.layout.transpose_b ? args[1] : args[0];
  Var pk = mm.layout.transpose_b ? args[0] : args[1];
  rhs.compute_at(level);
  if (mm.layout.transpose_b) {
    // A transpose: store n innermost; tiles of one vector of n by 4 k,
    // vectorized over n (contiguous stores), unrolled over k. GuardWithIf
    // on k keeps reads inside B for K < 4. The tiles of one vector of rows
    // go along all of K before the next rows: a tile reads a quarter of
    // each of its rows' lines, and with k outside the panel's rows each
    // step read 64 rows (AVX-512) whose lines, 2 KiB apart at K = 512,
    // fall in 2 of L1's 64 sets, so the next k step found none of them.
    // On the AMD EPYC family 25 model 17 (Zen 4), one thread, gemm_bench:
    // 128x512->256 0.84-0.87x -> 1.07-1.10x OpenBLAS, 128x512->784
    // 0.80-0.81x -> 0.98-1.04x, GPT fc2 1.16-1.20x -> 1.24-1.25x, 1024^3
    // B^T 1.02-1.05x -> 1.10-1.12x; the AVX2 kernels' panels are 16 rows
    // and measured the same either way (0.96-1.13x, noise). The K-blocked
    // schedule's pack of a transposed B changed with it, unmeasured.
    Var ni("mm_pack_ni"), ki("mm_pack_ki");
    rhs.reorder_storage(pn, pk);
    rhs.specialize(vector_wide)
        .split(pn, pn, ni, vec)
        .split(pk, pk, ki, kPackUnroll, TailStrategy::GuardWithIf)
        .reorder(ni, ki, pk, pn)
        .vectorize(ni)
        .unroll(ki);
  } else {
    rhs.specialize(vector_wide).vectorize(pn, vec);
  }
}

// C = A^T B with A stored [K, M] and a long K: a weight gradient, whose K
// is the rows of a batch (GPT: 4096). Accumulating a register block over
// all of K, as the plain schedule does, reads 24 bytes of each 2 KiB row
// of A per k and streams the task's whole packed B panel (64 x K floats,
// 1 MiB at K = 4096) from L2 once per row block: 54-68 GFLOP/s against
// OpenBLAS's 126-134 (Xeon, one thread). Here K is cut into chunks of
// kChunk (GotoBLAS's K blocking): per chunk the B panel's piece is packed
// and stays in L1 while every row block of the task adds its partial sum
// over the chunk (an rfactor, kept in registers) into the task's result,
// which stays in memory between chunks (in L2 while the task's rows are a
// few thousand at most). On those shapes 0.86-1.0x OpenBLAS on one thread
// and 1.3-1.5x on two, with more accurate sums (docs/performance.md, the
// GEMM section).
void schedule_k_blocked(Matmul &mm, Func out, const Var &inner,
                        const Var &outer, Block b, int vec, int chunk_rows,
                        bool pack_a) {
  const Loops l;
  out.split(inner, l.no, l.ni, b.cols, TailStrategy::ShiftInwards)
      .split(outer, l.mt, l.mi, chunk_rows, TailStrategy::ShiftInwards)
      .reorder(l.ni, l.mi, l.no, l.mt)
      .fuse(l.no, l.mt, l.task)
      .parallel(l.task)
      .vectorize(l.ni, vec);

  Func prod = mm.result;
  prod.compute_at(out, l.task).vectorize(mm.n, vec);
  const RVar ko("mm_ko"), ki("mm_ki");
  const Var chunk("mm_chunk"), no("mm_pno"), ni("mm_pni"), mo("mm_pmo"),
      mi("mm_pmi");
  Func part = prod.update()
                  .split(mm.k.x, ko, ki, kChunk, TailStrategy::GuardWithIf)
                  .rfactor(ko, chunk);
  // The task's region is whole blocks (k_blocked_chunk_rows): exact splits.
  Stage blocks = prod.update()
                     .split(mm.n, no, ni, b.cols)
                     .split(mm.m, mo, mi, b.rows)
                     .reorder(ni, mi, mo, no, ko)
                     .vectorize(ni, vec)
                     .unroll(ni)
                     .unroll(mi);
  // A wrapper of a that is also b's (x^T x) is B's pack already.
  const bool a_is_b = mm.a.function().same_as(mm.b.function());
  if (const int group = pack_a && !a_is_b ? a_pack_blocks(b, chunk_rows) : 0) {
    // A's rows of `group` blocks over the chunk, packed k-major: one line
    // of rows per k (8 KiB per chunk), which the group's blocks then read
    // in a row. Read in place, a block reads one line per k from rows M
    // floats apart; at M = 512 (2 KiB) those 128 lines fall in 2 of L1's
    // 64 sets, so the next block of the group finds none of them. GPT
    // fc2's weight gradient (512x128x4096) on the AMD EPYC family 25
    // model 17 (Zen 4, 32 KiB L1), one thread, gemm_bench: 0.71-0.77x ->
    // 1.00-1.03x OpenBLAS; fc1's (128 rows, 512 B apart) 5.58-5.95 ->
    // 5.99-6.25 ms, within the machine's noise. Not with AVX2's blocks:
    // there the same pack measured 0.57-0.74x against 0.87-1.00x in place
    // (same machine, AVX2 kernels), for a reason not found.
    const Var mg("mm_pmg");
    blocks.split(mo, mg, mo, group);
    Func lhs = mm.a.in(part);
    lhs.compute_at(LoopLevel(prod, mg)).vectorize(lhs.args()[0], vec);
  }
  part.compute_at(LoopLevel(prod, mo))
      .vectorize(mm.n, vec)
      .unroll(mm.n)
      .unroll(mm.m);
  part.update()
      .reorder(mm.n, mm.m, ki, chunk)
      .vectorize(mm.n, vec)
      .unroll(mm.n)
      .unroll(mm.m);
  pack_rhs(mm, part, LoopLevel(prod, ko), vec, Internal::const_true());
}

} // namespace

void schedule_matmul(Matmul &mm, Func out, const Var &inner, const Var &outer,
                     const std::vector<Var> &batch, const Target &target) {
  if (target.has_gpu_feature()) {
    gpu::schedule_matmul(mm, out, inner, outer, batch);
    return;
  }
  const int vec = target.natural_vector_size(mm.result.output_types().at(0));
  const auto rows = detail::static_extent(out, 1);
  if (batch.empty() && mm.layout.transpose_b && rows && *rows < kGemvMaxRows) {
    schedule_gemv(mm, out, inner, outer, vec);
    return;
  }
  if (const auto cols = detail::static_extent(out, 0);
      batch.empty() && mm.layout.transpose_a && mm.k_estimate >= kLongK &&
      rows && cols) {
    for (const Block b : k_blocked_blocks(target, vec, int(*rows))) {
      if (const int chunk_rows =
              k_blocked_chunk_rows(b, int(*cols), int(*rows))) {
        schedule_k_blocked(mm, out, inner, outer, b, vec, chunk_rows,
                           target.has_feature(Target::AVX512));
        return;
      }
    }
  }
  const Expr n_extent = out.output_buffer().dim(0).extent();
  const Expr m_extent = out.output_buffer().dim(1).extent();
  Expr batch_extent = 1;
  for (size_t i = 0; i < batch.size(); ++i)
    batch_extent *= out.output_buffer().dim(2 + int(i)).extent();
  const Loops l;

  // Output: one specialization per block; the last one is the fallback.
  const std::vector<Block> blocks = blocks_for(target, vec);
  for (size_t i = 0; i + 1 < blocks.size(); ++i) {
    const Block b = blocks[i];
    Stage s = out.specialize(n_extent >= b.cols && m_extent >= b.rows);
    tile_output(s, inner, outer, batch, l, b, vec, n_extent, m_extent,
                batch_extent);
  }
  tile_output(out, inner, outer, batch, l, blocks.back(), vec, n_extent,
              m_extent, batch_extent);

  // The accumulator block: its region is the constant cols x rows of the
  // enclosing output block in every branch, so everything unrolls.
  // Vectorized only where the output is at least one vector wide.
  const Expr vector_wide = n_extent >= vec;
  Func prod = mm.result;
  prod.compute_at(out, l.mo).unroll(mm.m);
  prod.specialize(vector_wide).vectorize(mm.n, vec).unroll(mm.n);
  prod.update().reorder(mm.n, mm.m, mm.k).unroll(mm.m);
  prod.update().specialize(vector_wide).vectorize(mm.n, vec).unroll(mm.n);

  // The B panel, packed once per task and reused by every row block.
  pack_rhs(mm, mm.result, LoopLevel(out, l.task), vec, vector_wide);
}

} // namespace kiln::halide
