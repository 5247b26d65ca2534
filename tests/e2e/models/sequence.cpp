// Sequence tensors for tests/e2e/sequence_test.cpp: two symbols (batch and
// seq), Linear on [batch, seq, C] (its rows merged into one product and
// split back), reshapes that merge and split symbols, permute, and batched
// matmuls over attention heads, with gradients through all of them into
// the projection; token ids (Ints) through an Embedding, one_hot and
// to_float, with the embedding's gradient; concatenation along a symbolic
// axis (batch, then seq) and its chunks, with the gradient through both,
// and along the static innermost axis in pieces of a whole vector.
//
// Sizes are small and odd on purpose: 6 input features, 2 heads of 4, so
// that no dimension is a whole vector (but for the pieces of 16 along the
// innermost axis, which are whole vectors on purpose); the test runs seq 1, 5
// and 7 and batches 1 to 3 through one model.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;
inline constexpr auto T = seq;

struct Sequence : Model {
  Linear<6, 8> proj{"proj"};
  Linear<6, 48> wide{"wide"};
  Embedding<11, 8> wte{"wte"};

  // Token ids: embedding lookups, one-hot labels, integers as floats.
  Tensor<B, T, 8> embed(Ints<B, T> ids) { return wte(ids); }
  Tensor<B, 10> labels(Ints<B> y) { return one_hot<10>(y); }
  Tensor<B> halves(Ints<B> n) { return to_float(n) * 0.5f; }

  // Linear on a rank-3 input.
  Tensor<B, T, 8> project(Tensor<B, T, 6> x) { return proj(x); }

  // A result whose first dimension is the product batch*seq.
  Tensor<times<B, T>, 6> merge(Tensor<B, T, 6> x) {
    return reshape<times<B, T>, 6>(x) * 2.0f;
  }

  // Merged, computed on, split back: the split happens inside a kernel.
  Tensor<B, T, 6> merge_split(Tensor<B, T, 6> x) {
    auto rows = reshape<times<B, T>, 6>(x);
    return reshape<B, T, 6>(rows * rows);
  }

  // Along symbolic axes: two batches joined into times<2, B> rows, three
  // sequences into times<3, T> positions, and equal chunks cut back out.
  Tensor<times<2, B>, 6> stack_rows(Tensor<B, 6> a, Tensor<B, 6> b) {
    return concat<0>(a, b);
  }
  Tensor<B, times<3, T>, 6> join_seqs(Tensor<B, T, 6> a, Tensor<B, T, 6> b,
                                      Tensor<B, T, 6> c) {
    return concat<1>(a, b, c);
  }
  Tensor<B, T, 6> cut_seqs(Tensor<B, T, 6> a, Tensor<B, T, 6> b,
                           Tensor<B, T, 6> c) {
    auto [x, y, z] = chunk<3, 1>(concat<1>(a, b, c) * 2.0f);
    return x + y * z;
  }

  // Along the static innermost axis, in pieces of 16 floats read from
  // different tensors (kilnc gives the pointwise schedule the pieces).
  Tensor<B, 64> join_features(Tensor<B, 32> a, Tensor<B, 16> b,
                              Tensor<B, 16> c) {
    return concat<1>(a, b, c) * 2.0f;
  }
  // loss = sum((p - q / 2 + s * s) * r), [p, q, s] = chunks of
  // tanh(wide(x)) along its innermost axis: the gradient into wide's output
  // is three pads of 16 added.
  Scalar chunk_train(Tensor<B, 6> x, Tensor<B, 16> r) {
    auto [p, q, s] = chunk<3, 1>(tanh(wide(x)));
    return sum((p - q * 0.5f + s * s) * r);
  }

  // loss = sum((p - q / 2) * r), [p, q] = chunks of tanh(proj([a; b])):
  // the gradient flows through the chunks, the Linear on times<2, B> rows
  // and the concatenation.
  Scalar concat_train(Tensor<B, 6> a, Tensor<B, 6> b, Tensor<B, 8> r) {
    auto [p, q] = chunk<2, 0>(tanh(proj(concat<0>(a, b))));
    return sum((p - q * 0.5f) * r);
  }

  // [B, T, 8] -> [B, 2, T, 4]: the heads of a projection.
  static auto heads(const Tensor<B, T, 8> &h) {
    return permute<0, 2, 1, 3>(reshape<B, T, 2, 4>(h));
  }

  // Attention scores q k^T per batch element and head.
  Tensor<B, 2, T, T> scores(Tensor<B, T, 8> q, Tensor<B, T, 8> k) {
    return matmul<false, true>(heads(q), heads(k));
  }

  // The same with a causal mask: -1e30 where the key comes after the query.
  Tensor<B, 2, T, T> causal_scores(Tensor<B, T, 8> q, Tensor<B, T, 8> k) {
    return causal_mask(matmul<false, true>(heads(q), heads(k)));
  }

  // Weights times values per head, the heads joined back.
  Tensor<B, T, 8> attend(Tensor<B, 2, T, T> p, Tensor<B, T, 8> v) {
    auto o = matmul(p, heads(v)); // [B, 2, T, 4]
    return reshape<B, T, 8>(permute<0, 2, 1, 3>(o));
  }

  // A table of several values inside a kernel (a constant of any shape).
  Tensor<B, T, 8> scaled(Tensor<B, T, 8> x) {
    return x * constant<8>({0.5f, -1.f, 2.f, 0.25f, 3.f, -0.125f, 1.5f, 4.f}) +
           constant<1, 8>({1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f, 8.f});
  }

  // A matrix shared by every batch element: [B, T, 8] x [8, 6].
  Tensor<B, T, 6> shared(Tensor<B, T, 8> x, Tensor<8, 6> w) {
    return matmul(x, w);
  }

  // Broadcast batch dimensions: a matrix shared by every batch index on the
  // left, and one head's rows ([B, 1, T, 4]) against two heads.
  Tensor<B, 2, 3, 5> left_shared(Tensor<3, 4> w, Tensor<B, 2, 4, 5> x) {
    return matmul(w, x);
  }
  Tensor<B, 2, T, 5> one_head(Tensor<B, 1, T, 4> a, Tensor<B, 2, 4, 5> b) {
    return matmul(a, b);
  }

  // loss = sum(attention(h, h, h) * r), h = proj(x), without the softmax:
  // gradients through the Linear, both batched products and the permutes.
  Scalar attention_train(Tensor<B, T, 6> x, Tensor<B, T, 8> r) {
    auto h = heads(proj(x));
    auto s = matmul<false, true>(h, h);
    auto o = matmul(s, h);
    return sum(reshape<B, T, 8>(permute<0, 2, 1, 3>(o)) * r);
  }

  // loss = sum(attention(e, e, e) * r), e = wte(ids): the table's gradient
  // sums by token id, through both batched products.
  Scalar embed_train(Ints<B, T> ids, Tensor<B, T, 8> r) {
    auto h = heads(wte(ids));
    auto o = matmul(matmul<false, true>(h, h), h);
    return sum(reshape<B, T, 8>(permute<0, 2, 1, 3>(o)) * r);
  }
};

KILN_MODEL(Sequence, "sequence") {
  infer("project", &Sequence::project);
  infer("merge", &Sequence::merge);
  infer("merge_split", &Sequence::merge_split);
  infer("scores", &Sequence::scores);
  infer("causal_scores", &Sequence::causal_scores);
  infer("attend", &Sequence::attend);
  infer("shared", &Sequence::shared);
  infer("scaled", &Sequence::scaled);
  infer("left_shared", &Sequence::left_shared);
  infer("one_head", &Sequence::one_head);
  train("attention_train", &Sequence::attention_train, Sgd{.lr = 1})
      .params("proj");
  infer("stack_rows", &Sequence::stack_rows);
  infer("join_seqs", &Sequence::join_seqs);
  infer("cut_seqs", &Sequence::cut_seqs);
  train("concat_train", &Sequence::concat_train, Sgd{.lr = 1}).params("proj");
  infer("join_features", &Sequence::join_features);
  train("chunk_train", &Sequence::chunk_train, Sgd{.lr = 1}).params("wide");
  infer("embed", &Sequence::embed);
  infer("labels", &Sequence::labels);
  infer("halves", &Sequence::halves);
  train("embed_train", &Sequence::embed_train, Sgd{.lr = 1}).params("wte");
}
