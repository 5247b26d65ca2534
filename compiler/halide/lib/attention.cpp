// The attention algorithm. It only says what is computed;
// attention_schedule.cpp (and gpu_schedule.cpp) say how.
#include "kiln/halide/attention.h"

#include <stdexcept>
#include <string>

namespace kiln::halide {

using namespace Halide;

namespace {

// f(first, second, batch...).
Expr at(const Func &f, const Expr &first, const Expr &second,
        const std::vector<Var> &batch) {
  std::vector<Expr> args{first, second};
  args.insert(args.end(), batch.begin(), batch.end());
  return f(args);
}
Expr at(const Func &f, const Expr &first, const std::vector<Var> &batch) {
  std::vector<Expr> args{first};
  args.insert(args.end(), batch.begin(), batch.end());
  return f(args);
}
std::vector<Var> with(std::vector<Var> front, const std::vector<Var> &batch) {
  front.insert(front.end(), batch.begin(), batch.end());
  return front;
}

} // namespace

Attention attention(AttentionPart part, const AttentionInputs &in,
                    const AttentionSizes &sizes) {
  if (sizes.head <= 0 || sizes.value_head <= 0)
    throw std::invalid_argument(
        "kiln::halide::attention: the head sizes must be static and positive");
  const bool grads =
      part != AttentionPart::Output && part != AttentionPart::LogSumExp;
  if (part == AttentionPart::GradKeyValue && sizes.head != sizes.value_head)
    throw std::invalid_argument("kiln::halide::attention: dk and dv in one "
                                "kernel need equal head sizes");
  if (grads && (!in.grad_out.defined() || !in.lse.defined() ||
                (part != AttentionPart::GradValue && !in.delta.defined())))
    throw std::invalid_argument("kiln::halide::attention: a gradient needs "
                                "dO, the log-sum-exp and delta");
  Attention a;
  a.part = part;
  a.in = in;
  a.sizes = sizes;
  const std::string name = Internal::unique_name("attention");
  a.x = Var(name + "_x");
  a.j = Var(name + "_j");
  a.s = Var(name + "_s");
  for (int i = 0; i < sizes.batch_dims; ++i)
    a.batch.push_back(Var(name + "_b" + std::to_string(i)));
  a.over_head = RDom(0, sizes.head, name + "_d");
  a.over_value_head = RDom(0, sizes.value_head, name + "_e");
  a.over_keys = RDom(0, sizes.keys, name + "_k");
  a.over_queries = RDom(0, sizes.queries, name + "_q");
  const int block = kKeyBlock;
  a.over_blocks = RDom(0, (sizes.keys + block - 1) / block, name + "_kb");
  a.over_lanes = RDom(0, block, name + "_lane");
  const Var &x = a.x, &j = a.j, &s = a.s;
  if (sizes.causal) {
    // Causal attention skips the masked half: query s reduces over the keys
    // of the blocks up to its own, key j over the queries from its block
    // on. What is left out is masked (P exactly 0, no gradient), so every
    // schedule computes the same; one whose row tiles lie inside a block
    // loops over what the tile needs only.
    a.over_blocks.where(a.over_blocks.x * block <= s);
    a.over_keys.where(a.over_keys.x < (s / block + 1) * block);
    a.over_queries.where(a.over_queries.x >= (j / block) * block);
    // The forward's and the log-sum-exp's score blocks past a query's own
    // are masked too: skipped whole (one branch per block of scores).
    // Bounds inference still asks their query tiles for every key's score
    // (it does not apply the statistics' predicates to those reads); the
    // gradients' score tiles were already bounded by their consumers.
    // docs/performance.md ("Fused attention") has the numbers. Only for
    // static sizes: with a symbolic length (the GPT's prefill) a tile's
    // rows are not known to share one block, each row tests its own block
    // inside the loop over the head, and the score accumulators went
    // through memory at every step; computing the masked blocks instead
    // keeps them in registers: the prefill's attention of a 64-byte
    // prompt 34-43 -> 24-25 us per layer (Zen 5, 1 thread;
    // docs/performance.md "Masked score blocks in a prefill").
    if (!grads && Internal::is_const(sizes.keys) &&
        Internal::is_const(sizes.queries))
      a.over_head.where(j / block <= s / block);
  }
  const std::vector<Var> &b = a.batch;
  const Type t = in.q.output_types().at(0);
  const Expr zero = cast(t, 0);

  a.score = Func(name + "_score");
  a.score(with({j, s}, b)) = zero;
  a.score(with({j, s}, b)) +=
      at(in.q, a.over_head.x, s, b) * at(in.k, a.over_head.x, j, b);
  // Masked scores are a large negative number rather than -inf, as the
  // composite mask (causal_mask) fills them: a row with every key masked
  // averages all values instead of dividing 0 by 0.
  Expr masked_out = Internal::const_false();
  if (sizes.causal)
    masked_out = j > s;
  if (in.mask.defined())
    masked_out = masked_out || at(in.mask, j, b) != cast(t, 0);
  const Expr logit = select(masked_out, cast(t, Expr(-1e30)),
                            at(a.score, j, s, b) * cast(t, Expr(sizes.scale)));

  Func logits(name + "_logits"); // inlined into its users
  logits(with({j, s}, b)) = logit;
  auto lg = [&](const Expr &jj, const Expr &ss) {
    return at(logits, jj, ss, b);
  };

  a.prob = Func(name + "_prob");
  a.accum = Func(name + "_accum");
  a.result = Func(name);
  const RVar rk = a.over_keys.x, rq = a.over_queries.x;
  if (!grads) {
    // The row statistics reduce in two steps: over the blocks of kKeyBlock
    // keys into one partial result per lane (vectorizable, and a causal
    // row's blocks stop at its own), then over the lanes.
    const Var lane(name + "_l");
    const RVar kb = a.over_blocks.x, rl = a.over_lanes.x;
    Expr key = lane + block * kb;
    const int64_t *static_keys = Internal::as_const_int(sizes.keys);
    const bool ragged = !static_keys || *static_keys % block != 0;
    // The last block's lanes past K repeat key K - 1, left out. Clamped
    // below at 0 too, so that the score blocks' keys are known to start at
    // 0, a multiple of kKeyBlock: min(key, K - 1) alone starts them at
    // min(0, K - 1) for a symbolic K, which made the causal block
    // predicate a per-lane mask when symbolic lengths still had one (the
    // GPT's prefill, docs/performance.md "A prefill's attention").
    if (ragged)
      key = clamp(key, 0, sizes.keys - 1);
    auto past_end = [&](const Expr &l) {
      return ragged ? l + block * kb >= sizes.keys : Internal::const_false();
    };
    a.row_max_lanes = Func(name + "_max_lanes");
    a.row_max_lanes(with({lane, s}, b)) = t.min();
    a.row_max_lanes(with({lane, s}, b)) =
        select(past_end(lane), a.row_max_lanes(with({lane, s}, b)),
               max(a.row_max_lanes(with({lane, s}, b)), lg(key, s)));
    a.row_max = Func(name + "_max");
    a.row_max(with({s}, b)) = t.min();
    a.row_max(with({s}, b)) =
        max(a.row_max(with({s}, b)), at(a.row_max_lanes, rl, s, b));
    a.prob(with({j, s}, b)) = exp(lg(j, s) - at(a.row_max, s, b));
    a.row_sum_lanes = Func(name + "_sum_lanes");
    a.row_sum_lanes(with({lane, s}, b)) = zero;
    a.row_sum_lanes(with({lane, s}, b)) +=
        select(past_end(lane), zero, at(a.prob, key, s, b));
    a.row_sum = Func(name + "_sum");
    a.row_sum(with({s}, b)) = zero;
    a.row_sum(with({s}, b)) += at(a.row_sum_lanes, rl, s, b);
    a.log_sum_exp = Func(name + "_lse");
    a.log_sum_exp(with({s}, b)) =
        at(a.row_max, s, b) + log(at(a.row_sum, s, b));
    if (part == AttentionPart::LogSumExp) {
      a.result(with({s}, b)) = at(a.log_sum_exp, s, b);
      return a;
    }
    a.accum(with({x, s}, b)) = zero;
    a.accum(with({x, s}, b)) += at(a.prob, rk, s, b) * at(in.v, x, rk, b);
    a.result(with({x, s}, b)) = at(a.accum, x, s, b) / at(a.row_sum, s, b);
    return a;
  }
  // A row whose keys are all masked is uniform: its log-sum-exp, -1e30 +
  // log(K), rounds to -1e30, so it cannot give P. Masked scores get no
  // gradient (they are constants), which P = 0 gives everywhere else.
  Expr all_masked = Internal::const_false();
  if (in.mask.defined()) {
    a.unmasked = Func(name + "_unmasked");
    a.unmasked(with({s}, b)) = 0;
    a.unmasked(with({s}, b)) += select(at(in.mask, rk, b) == cast(t, 0), 1, 0);
    all_masked = at(a.unmasked, s, b) == 0;
  }
  a.prob(with({j, s}, b)) = select(all_masked, cast(t, 1) / cast(t, sizes.keys),
                                   exp(lg(j, s) - at(in.lse, s, b)));
  if (part == AttentionPart::GradValue) {
    // dv[j] = sum_s P[s, j] dO[s]; x is the value's head index.
    a.accum(with({x, j}, b)) = zero;
    a.accum(with({x, j}, b)) +=
        at(a.prob, j, rq, b) * at(in.grad_out, x, rq, b);
    a.result(with({x, j}, b)) = at(a.accum, x, j, b);
    return a;
  }
  a.dprob = Func(name + "_dprob");
  a.dprob(with({j, s}, b)) = zero;
  a.dprob(with({j, s}, b)) += at(in.grad_out, a.over_value_head.x, s, b) *
                              at(in.v, a.over_value_head.x, j, b);
  a.dscore = Func(name + "_dscore");
  Func &dscore = a.dscore;
  dscore(with({j, s}, b)) =
      select(masked_out, zero,
             at(a.prob, j, s, b) * (at(a.dprob, j, s, b) - at(in.delta, s, b)));
  const Expr scale = cast(t, Expr(sizes.scale));
  if (part == AttentionPart::GradKeyValue) {
    // dk and dv of a tile of keys from the same tiles of P and dS: the
    // scores and their exponentials once instead of once per kernel.
    a.accum(with({x, j}, b)) = Tuple(zero, zero);
    a.accum(with({x, j}, b)) +=
        Tuple(at(dscore, j, rq, b) * at(in.q, x, rq, b),
              at(a.prob, j, rq, b) * at(in.grad_out, x, rq, b));
    const FuncRef acc = a.accum(with({x, j}, b));
    a.result(with({x, j}, b)) = Tuple(acc[0] * scale, acc[1]);
    return a;
  }
  if (part == AttentionPart::GradQuery) {
    a.accum(with({x, s}, b)) = zero;
    a.accum(with({x, s}, b)) += at(dscore, rk, s, b) * at(in.k, x, rk, b);
    a.result(with({x, s}, b)) = at(a.accum, x, s, b) * scale;
  } else {
    a.accum(with({x, j}, b)) = zero;
    a.accum(with({x, j}, b)) += at(dscore, j, rq, b) * at(in.q, x, rq, b);
    a.result(with({x, j}, b)) = at(a.accum, x, j, b) * scale;
  }
  return a;
}

Func attention_log_sum_exp(Attention &att, const Target &target) {
  if (att.part != AttentionPart::Output)
    throw std::invalid_argument("kiln::halide::attention_log_sum_exp: not "
                                "the output of an attention");
  if (!target.has_gpu_feature())
    return att.log_sum_exp;
  AttentionInputs in = att.in;
  in.v = Func();
  att.lse_part = std::make_shared<Attention>(
      attention(AttentionPart::LogSumExp, in, att.sizes));
  return att.lse_part->result;
}

} // namespace kiln::halide
