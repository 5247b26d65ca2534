// CPU schedule for fused attention kernels (attention.h).
//
// Loop nest of the output, outermost first:
//   batch (parallel)  = (batch, head) pairs, fused (nested parallel loops
//                       where the log-sum-exp is a second output)
//     packs           = the operands the score products read across their
//                       rows, transposed once per (batch, head) so that
//                       those products vectorize: k (or q) and v (or dO)
//     tile            = `rows` query rows (output, log-sum-exp, dq) or key
//                       rows (dk, dv) of the result
//       score, dprob  = the tile's scores over every key (or query): blocks
//                       of one vector of columns x `rows` rows accumulated
//                       in registers over the head dimension
//       max, sum      = row statistics, vectorized by rfactor
//       prob          = P (or dS's factors) for the tile, one vector at a time
//       accum         = the result's rows, vectors of the head dimension x
//                       `rows` rows in registers, over every key (query)
// So the scores of a (batch, head) exist only a tile at a time: rows x K
// floats (8 x 128 x 4 = 4 KiB for the GPT), in L1. A causal tile's
// statistics and accumulations stop at its own block of kKeyBlock keys;
// its score tile still spans every key, but with static lengths the
// blocks past its own are skipped whole (the score's predicate,
// attention.cpp; a symbolic length computes them, masked).
//
// Measured choices are recorded with the numbers in docs/performance.md
// ("Fused attention").
#include "gpu_schedule.h"
#include "kiln/halide/attention.h"
#include "tiling.h"

#include <algorithm>
#include <stdexcept>

namespace kiln::halide {

using namespace Halide;

namespace {

// Rows of the result per tile: 8 rows x one vector of columns are 8
// independent accumulator chains in the score products, enough to cover
// the FMA latency (4 cycles x 2 ports) on AVX2 and AVX-512 alike.
constexpr int kRows = 8;

// Rows of the result accumulated in registers at a time: rows x (D /
// vector) accumulators, the row of v (k, q or dO) they multiply and a
// broadcast must fit the register file (at D = 32: 8 rows of 2 zmm, 19 of
// 32 registers, with AVX-512; 2 rows of 4 ymm, 14 of 16, with AVX2).
// `results` accumulators per element: 2 for dk and dv together, each with
// its own row to multiply (q and dO) and broadcast (dS and P).
int accumulator_rows(const Target &target, int x_extent, int vx, int results) {
  const int registers = target.has_feature(Target::AVX512) ? 32 : 16;
  const int per_row = (x_extent + vx - 1) / vx * results;
  int rows = kRows;
  while (rows > 1 && rows * per_row + per_row + 2 * results > registers)
    rows /= 2;
  return rows;
}

// Loop names shared by every specialization.
struct Loops {
  Var ro{"att_ro"}, rc{"att_rc"}, ri{"att_ri"}, batch{"att_batch"},
      jo{"att_jo"}, ji{"att_ji"};
};

// The widest vector (a power of two, at most `natural`) that `extent`
// fills, or 1.
int vector_for(int extent, int natural) {
  int w = natural;
  while (w > 1 && extent < w)
    w /= 2;
  return w;
}

// Tiles out's rows by `rows` (ShiftInwards: the caller guarantees at least
// that many rows in this branch) in chunks of `chunk` (the accumulator
// block), vectorizes its innermost var, fuses the batch vars into one
// parallel loop outside the tiles (with fuse_batch false: parallel loops
// of their own).
void tile_output(Stage s, const std::vector<Var> &vars, bool has_x, int rows,
                 int chunk, int vx, const Loops &l, bool fuse_batch = true) {
  const Var &row = has_x ? vars[1] : vars[0];
  s.split(row, l.ro, l.ri, rows, TailStrategy::ShiftInwards)
      .split(l.ri, l.rc, l.ri, std::min(chunk, rows))
      .unroll(l.ri);
  if (has_x && vx > 1)
    s.vectorize(vars[0], vx, TailStrategy::GuardWithIf);
  const size_t first_batch = has_x ? 2 : 1;
  if (vars.size() > first_batch && fuse_batch) {
    const Var fused =
        detail::fuse_all(s, {vars.begin() + first_batch, vars.end()}, "att_b");
    s.rename(fused, l.batch).parallel(l.batch);
  } else if (vars.size() > first_batch) {
    for (size_t i = first_batch + 1; i < vars.size(); ++i)
      s.parallel(vars[i]);
    s.rename(vars[first_batch], l.batch).parallel(l.batch);
  } else {
    s.parallel(l.ro);
  }
}

// A product over `r` accumulated in registers, `cols` x `rows`: wrapper w
// of f holds the tile; f is computed per block of one vector of `col`
// (vectorized) by every `row` (unrolled). `tail`: how w's columns end
// (see column_tail).
void register_block(Func f, const Var &col, const Var &row, const RVar &r,
                    Func out, const Var &tile, int vec, int rows,
                    const Loops &l, TailStrategy tail) {
  Func w = f.in();
  w.compute_at(out, tile)
      .reorder_storage(col, row)
      .split(col, l.jo, l.ji, vec, tail)
      .reorder(l.ji, row, l.jo)
      .vectorize(l.ji)
      .unroll(row);
  // A block's storage is constant-sized, so that once unrolled it lives
  // in registers (a causal tile's bounds depend on the tile).
  f.compute_at(w, l.jo)
      .reorder_storage(col, row)
      .bound_storage(col, vec)
      .bound_storage(row, rows)
      .vectorize(col, vec, TailStrategy::GuardWithIf)
      .unroll(row);
  f.update()
      .reorder(col, row, r)
      .vectorize(col, vec, TailStrategy::GuardWithIf)
      .unroll(row);
}

// A row statistic of a tile, vectorized: the partial results per lane
// (one vector per row) over the key blocks, then the lanes.
void vector_reduce(Func stat, Func lanes, Func out, const Var &tile, int vec) {
  const Var lane = lanes.args()[0];
  stat.compute_at(out, tile);
  lanes.compute_at(out, tile).vectorize(lane, vec);
  lanes.update().vectorize(lane, vec);
}

// `f` read across its rows by the score products: a copy per (batch, head)
// stored transposed (the rows' index innermost).
void pack_transposed(Func f, Func user, Func out, const Var &at, bool root,
                     int vec) {
  Func p = f.in(user);
  const std::vector<Var> args = p.args();
  if (root)
    p.compute_root();
  else
    p.compute_at(out, at);
  p.reorder_storage(args[1], args[0])
      .reorder(args[1], args[0])
      .vectorize(args[1], vec, TailStrategy::GuardWithIf);
}

// The scores of one query row (a decode step: S = 1 when the kernel is
// compiled) as dot products along the contiguous head dimension, rfactored
// into one vector of head lanes per key and then summed, the way matmul's
// gemv schedule reads B: k is read once, in place. The transposing pack
// that the tiled products need would copy all K x D of k per (batch, head)
// for one row of scores. GPT decode step, [1, 4, 1, 32] against 128 keys,
// Zen 4, 1 thread: 6.5 us with the pack, see docs/performance.md.
void single_query_scores(Attention &a, Func out, const Var &tile, int natural) {
  const int vd = vector_for(a.sizes.head, natural);
  const RVar ko("att_ko"), ki("att_ki");
  const Var lane("att_dlane");
  a.score.compute_at(out, tile);
  Func lanes = a.score.update()
                   .split(a.over_head.x, ko, ki, vd, TailStrategy::GuardWithIf)
                   .rfactor(ki, lane);
  // The lanes' sum as one horizontal reduction (VectorReduce), not 16
  // scalar extracts and adds per key.
  a.score.update().atomic().vectorize(ki);
  lanes.compute_at(a.score, a.j).vectorize(lane);
  lanes.update().reorder(lane, ko).vectorize(lane);
}

// How the per-tile stages (the score and dprob register blocks' wrappers,
// P and dS) end their columns. GuardWithIf leaves a predicated last
// vector, which Halide 14 writes with masked stores, and a block stored
// that way stays in memory: dk and dv's dprob block went through the stack
// around its loop (docs/performance.md, "No predicated tail in attention's
// tiles"). These stages are pure, so ShiftInwards (the last vector
// recomputes its overlap with the one before) is exact wherever it stays
// inside the operands: tiles of query rows take keys from 0 to at least
// min(K, kKeyBlock), and tiles of key rows take queries up to S, so a
// static count (K, or S) of at least a vector and a vector no wider than
// kKeyBlock keep it there. A key tile of fewer queries than a vector
// (causal, the last tile when S % 16 is 8 to 15) then also computes
// masked queries before its own, which nothing reads. RoundUp computed
// past the end (Halide's bounds for the GPT's lse reached row 239 of 128).
TailStrategy column_tail(const Attention &a, int vec) {
  const Expr columns = a.rows_are_keys() ? a.sizes.queries : a.sizes.keys;
  const int64_t *n = Internal::as_const_int(columns);
  return n && *n >= vec && vec <= kKeyBlock ? TailStrategy::ShiftInwards
                                            : TailStrategy::GuardWithIf;
}

// Everything but out's loops (tile_output). `natural`: the target's vector
// of the element type; `vx`: the vector of the result's head dimension.
// `single_query`: one query row, scored by single_query_scores.
void schedule_stages(Attention &a, Func out, const std::vector<Var> &vars,
                     int natural, int vx, int rows, const Loops &l,
                     bool single_query) {
  const bool keyed = a.rows_are_keys();
  const bool root = vars.size() <= size_t(a.has_x() ? 2 : 1);
  // Tile var of out: score tiles, statistics, probabilities and the
  // accumulator live per tile; packs per (batch, head).
  const Var &tile = l.ro;
  const Var &pack_at = root ? l.ro : l.batch;
  // The score products: columns are the vectorized axis (keys for query
  // tiles, queries for key tiles), rows the tile's.
  const Var &col = keyed ? a.s : a.j;
  const Var &row = keyed ? a.j : a.s;
  const TailStrategy tail = column_tail(a, natural);
  if (single_query) {
    single_query_scores(a, out, tile, natural);
  } else {
    register_block(a.score, col, row, a.over_head.x, out, tile, natural, rows,
                   l, tail);
    pack_transposed(keyed ? a.in.q : a.in.k, a.score, out, pack_at, root,
                    natural);
  }
  if (a.dprob.defined()) {
    register_block(a.dprob, col, row, a.over_value_head.x, out, tile, natural,
                   rows, l, tail);
    pack_transposed(keyed ? a.in.grad_out : a.in.v, a.dprob, out, pack_at, root,
                    natural);
  }
  if (a.unmasked.defined()) // K per row, once per (batch, head)
    a.unmasked.compute_at(out, pack_at);
  if (a.row_max.defined()) {
    vector_reduce(a.row_max, a.row_max_lanes, out, tile, natural);
    vector_reduce(a.row_sum, a.row_sum_lanes, out, tile, natural);
  }
  // P, or dS (P stays inline in it), per tile, one vector at a time: the
  // accumulation broadcasts one element per row and step. dk and dv
  // together read both: P is stored too, its exponentials computed once.
  std::vector<Func> per_element{a.dscore.defined() ? a.dscore : a.prob};
  if (a.part == AttentionPart::GradKeyValue)
    per_element.push_back(a.prob);
  for (Func f : per_element) {
    f.compute_at(out, tile)
        .reorder_storage(col, row)
        .reorder(col, row)
        .vectorize(col, natural, tail);
  }
  if (a.part == AttentionPart::LogSumExp)
    return;
  const RVar r = keyed ? a.over_queries.x : a.over_keys.x;
  // Every accumulator in a register: the block's loops fully unrolled.
  a.accum.compute_at(out, l.rc)
      .vectorize(a.x, vx, TailStrategy::GuardWithIf)
      .unroll(a.x)
      .unroll(row);
  a.accum.update()
      .reorder(a.x, row, r)
      .vectorize(a.x, vx, TailStrategy::GuardWithIf)
      .unroll(a.x)
      .unroll(row);
}

} // namespace

void schedule_attention(Attention &a, Func out, const std::vector<Var> &vars,
                        const Target &target, Func lse_out) {
  if (target.has_gpu_feature()) {
    gpu::schedule_attention(a, out, vars);
    if (lse_out.defined()) {
      if (!a.lse_part)
        throw std::invalid_argument(
            "kiln::halide::schedule_attention: lse_out is not "
            "attention_log_sum_exp(att, target)");
      gpu::schedule_attention(*a.lse_part, lse_out,
                              {vars.begin() + 1, vars.end()});
    }
    return;
  }
  const bool has_x = a.has_x();
  // output_buffers: dk and dv together are a Tuple.
  const Expr row_extent = out.output_buffers()[0].dim(has_x ? 1 : 0).extent();
  const Loops l;
  // Tiles of kRows rows where there are that many (ShiftInwards recomputes
  // the last tile's overlap); single rows otherwise (batch-1 decoding
  // attends with one query).
  const Type t = a.result.output_types().at(0);
  const int natural = target.natural_vector_size(t);
  const int vx = vector_for(a.x_extent(), natural);
  const int chunk = accumulator_rows(
      target, a.x_extent(), vx, a.part == AttentionPart::GradKeyValue ? 2 : 1);
  const int64_t *queries = Internal::as_const_int(a.sizes.queries);
  const bool single_query =
      queries && *queries == 1 && !a.rows_are_keys() && !a.dprob.defined();
  if (lse_out.defined()) {
    // The log-sum-exp a training step's backward needs, computed with the
    // output tile by tile from the same row statistics (which are computed
    // at out's tiles: out leads the fused loop): the separate kernel that
    // recomputed the scores and statistics cost 1.1 ms per GPT layer, the
    // forward itself 1.2 (Zen 5, 1 thread, batch 32). compute_with allows
    // no specialization on lse_out, and both must loop alike, so neither
    // has one: tiles of kRows where the queries are known to be that many,
    // else single rows. The batch loops stay apart: through one fused loop
    // the two outputs' (batch, head) are each a % and a / of it, and bounds
    // inference then gave the statistics and score tiles of every head
    // (4x the work at the GPT's 4 heads).
    if (a.part != AttentionPart::Output)
      throw std::invalid_argument("kiln::halide::schedule_attention: "
                                  "lse_out needs an Output part");
    const int rows = queries && *queries >= kRows ? kRows : 1;
    tile_output(out, vars, a.has_x(), rows, chunk, vx, l, false);
    tile_output(lse_out, {vars.begin() + 1, vars.end()}, /*has_x=*/false, rows,
                chunk, 1, l, false);
    lse_out.compute_with(out, l.ro);
    schedule_stages(a, out, vars, natural, vx, kRows, l, false);
    return;
  }
  if (!single_query)
    tile_output(out.specialize(row_extent >= kRows), vars, has_x, kRows, chunk,
                vx, l);
  tile_output(out, vars, has_x, 1, chunk, vx, l);
  schedule_stages(a, out, vars, natural, vx, kRows, l, single_query);
}

} // namespace kiln::halide
