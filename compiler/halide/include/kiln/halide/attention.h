// Fused scaled-dot-product attention for generated kernels: the algorithm
// (attention) and its schedule (schedule_attention), kept apart as in
// Halide's apps. One kernel computes one part of attention (the output, or
// one of the gradients) from q, k and v without ever storing the scores of
// a whole (batch, head): the schedules compute them a tile of query rows
// (or key columns) at a time, next to their use.
//
// Tensors are dense row-major; tensor [..., S, D] is the Halide Func
// (d, s, batch...), dimension 0 innermost. Every input has the result's
// batch dimensions (the caller broadcasts a key mask).
#pragma once

#include <Halide.h>

#include <memory>
#include <vector>

namespace kiln::halide {

// What a kernel computes (the scores P = softmax(scale q k^T + mask), their
// row-wise log-sum-exp L, dO the output's gradient, delta = rowsum(dO * O)):
//   Output     O  = P v                          [..., S, Dv]
//   LogSumExp  L                                 [..., S]
//   GradQuery  dq = scale dS k,  dS = P * (dO v^T - delta)   [..., S, D]
//   GradKey    dk = scale dS^T q                 [..., K, D]
//   GradValue  dv = P^T dO                       [..., K, Dv]
//   GradKeyValue  Tuple(dk, dv), D = Dv: both from one pass over the
//              tiles of P and dS                 [..., K, D]
enum class AttentionPart {
  Output,
  LogSumExp,
  GradQuery,
  GradKey,
  GradValue,
  GradKeyValue
};

struct AttentionInputs {
  Halide::Func q, k, v; // (d, s, batch...), (d, j, batch...), (e, j, batch...)
  Halide::Func mask;    // (j, batch...), non-zero masks key j; may be undefined
  Halide::Func grad_out; // dO (e, s, batch...): gradients only
  Halide::Func lse;      // L (s, batch...): gradients only
  Halide::Func delta;    // (s, batch...): GradQuery and GradKey(Value)
};

// The row statistics reduce over keys in blocks of this many (a vector of
// f32 on AVX-512, two on AVX2), which causal attention skips whole.
inline constexpr int kKeyBlock = 16;

struct AttentionSizes {
  Halide::Expr queries, keys;   // S and K, may be symbolic
  int head = 0, value_head = 0; // D and Dv, static
  int batch_dims = 0;
  double scale = 1;
  bool causal = false; // mask key j > query s
};

// The stages of one part, for its schedule. Each is defined where the part
// needs it, else undefined.
struct Attention {
  AttentionPart part = AttentionPart::Output;
  Halide::Func result; // the part, indexed like its tensor (Halide order)
  // (s, batch...): the row log-sum-exp from the row statistics, defined
  // for Output and LogSumExp (see attention_log_sum_exp).
  Halide::Func log_sum_exp;
  // An Output part's own LogSumExp part, where attention_log_sum_exp made
  // one.
  std::shared_ptr<Attention> lse_part;
  Halide::Func score; // (j, s, batch...): q . k, zero then one update
  Halide::Func prob;  // (j, s, batch...): P (pure)
  Halide::Func row_max, row_sum; // (s, batch...): Output and LogSumExp
  // (lane, s, batch...): the statistics per lane of the key blocks, which
  // row_max and row_sum reduce over the lanes.
  Halide::Func row_max_lanes, row_sum_lanes;
  Halide::Func dprob;    // (j, s, batch...): dO . v, zero then one update
  Halide::Func dscore;   // (j, s, batch...): dS (pure), all but GradValue
  Halide::Func accum;    // the result before its scale or 1/row_sum
  Halide::Func unmasked; // (s, batch...): unmasked keys, gradients with a mask
  Halide::Var x, j, s;   // x: the result's innermost var; j keys, s queries
  std::vector<Halide::Var> batch;
  Halide::RDom over_head, over_value_head, over_keys, over_queries;
  // The blocks of kKeyBlock keys and the lanes of one: what the row
  // statistics reduce over.
  Halide::RDom over_blocks, over_lanes;
  AttentionInputs in;
  AttentionSizes sizes;
  // Whether the result has a head dimension (all but the log-sum-exp),
  // and its size.
  bool has_x() const { return part != AttentionPart::LogSumExp; }
  int x_extent() const {
    return part == AttentionPart::Output || part == AttentionPart::GradValue
               ? sizes.value_head
               : sizes.head;
  }
  // Whether the result's rows are queries (tiles of query rows) or keys.
  bool rows_are_keys() const {
    return part == AttentionPart::GradKey || part == AttentionPart::GradValue ||
           part == AttentionPart::GradKeyValue;
  }
};

Attention attention(AttentionPart part, const AttentionInputs &in,
                    const AttentionSizes &sizes);

// The log-sum-exp of an Output part's scores, for a second output of its
// kernel (schedule_attention's `lse_out`). On a CPU it is log_sum_exp,
// from the forward's own row statistics, computed with the output tile by
// tile. On a GPU it is a LogSumExp part of its own (att.lse_part), which
// recomputes them: the GPU schedule fused with compute_with summed some
// rows of a causal tile twice (PoCL, rows 1-7 of each 8-row tile past the
// first key block; Halide 14).
Halide::Func attention_log_sum_exp(Attention &att,
                                   const Halide::Target &target);

// Schedules a kernel whose output `out` is defined pointwise on
// att.result(vars...), vars innermost first. See attention_schedule.cpp.
// `lse_out`, where defined, is a second output of an Output part, defined
// on attention_log_sum_exp(att, target) over vars[1], vars[2], ... (the
// row and the batch vars, named as out's).
void schedule_attention(Attention &att, Halide::Func out,
                        const std::vector<Halide::Var> &vars,
                        const Halide::Target &target,
                        Halide::Func lse_out = Halide::Func());

} // namespace kiln::halide
