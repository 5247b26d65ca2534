// The ops of graph_api.h: run-time shape inference and checks (this is where
// symbolic dimensions are compared), then one or more nodes per op.
#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "builder.h"

namespace kiln::dsl::detail {
namespace {

std::string kiln_op(std::string_view name) {
  return fmt::format("kiln.{}", name);
}

// NumPy broadcasting; equal symbols match, a static 1 stretches.
Shape broadcast(std::string_view op, const Shape &a, const Shape &b,
                const SrcLoc &loc) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const Dim *da = i + a.size() >= rank ? &a[i + a.size() - rank] : nullptr;
    const Dim *db = i + b.size() >= rank ? &b[i + b.size() - rank] : nullptr;
    if (!da || (db && is_static_one(*da)))
      out[i] = *db;
    else if (!db || *da == *db || is_static_one(*db))
      out[i] = *da;
    else
      fail(loc, fmt::format("{}: shapes {} and {} do not broadcast (result "
                            "dimension {}: {} vs {})",
                            op, to_string(a), to_string(b), i, to_string(*da),
                            to_string(*db)));
  }
  return out;
}

int binary_node(Builder &b, std::string_view op, int na, int nb,
                const SrcLoc &at) {
  Shape s = broadcast(op, b.shape(na), b.shape(nb), at);
  return b.add_node(kiln_op(op), {na, nb}, {}, std::move(s), at);
}

AttrValue dense_attr(const float *data, long long count, const Shape &shape) {
  AttrValue v(AttrValue::DenseF32);
  v.dense.assign(data, data + count);
  if (std::all_of(v.dense.begin(), v.dense.end(), [&](float x) {
        return std::memcmp(&x, &v.dense[0], sizeof x) == 0;
      }))
    v.dense.resize(1); // splat
  v.dense_shape = shape;
  return v;
}

int constant_node(Builder &b, const float *data, long long count,
                  const Shape &shape, const SrcLoc &at) {
  return b.add_node("kiln.constant", {},
                    {{"value", dense_attr(data, count, shape)}}, shape, at);
}

bool valid_axis(int axis, const Shape &s) {
  return axis >= 0 && axis < int(s.size());
}

const char *reduce_name(Reduce op) {
  switch (op) {
  case Reduce::sum:
    return "reduce_sum";
  case Reduce::mean:
    return "reduce_mean";
  case Reduce::max:
    return "reduce_max";
  }
  return "?";
}

// Node builders for composites (shapes already known to be valid).
int scalar_node(Builder &b, float v, const SrcLoc &at) {
  return constant_node(b, &v, 1, {}, at);
}
int unary_node(Builder &b, std::string_view op, int x, const SrcLoc &at) {
  return b.add_node(kiln_op(op), {x}, {}, b.shape(x), at);
}
int reduce_node(Builder &b, Reduce op, int x, int axis, bool keepdim,
                const SrcLoc &at) {
  Shape s = b.shape(x);
  if (keepdim)
    s[axis] = Dim{1, {}};
  else
    s.erase(s.begin() + axis);
  return b.add_node(kiln_op(reduce_name(op)), {x},
                    {{"axis", i64_attr(axis)}, {"keepdim", bool_attr(keepdim)}},
                    std::move(s), at);
}

int reshape_node(Builder &b, int x, Shape to, const SrcLoc &at) {
  const Shape &from = b.shape(x);
  Product pf = product_of(from), pt = product_of(to);
  if (pf.symbols != pt.symbols)
    fail(at, fmt::format("reshape: cannot reshape {} to {}: the symbolic "
                         "dimensions differ ({} vs {}); symbols can be "
                         "merged and split, not created or dropped",
                         to_string(from), to_string(to), to_string(pf),
                         to_string(pt)));
  if (pf.coefficient != pt.coefficient)
    fail(at, fmt::format("reshape: cannot reshape {} to {}: the element "
                         "counts differ ({} vs {})",
                         to_string(from), to_string(to), to_string(pf),
                         to_string(pt)));
  // Symbols that keep their order need no names; a merge, a split or a
  // reordering names both sides (docs/ir.md, "Symbolic dimensions").
  auto symbolic = [](const Shape &s) {
    std::vector<std::string> names;
    for (const Dim &d : s)
      if (d.symbolic())
        names.push_back(d.symbol);
    return names;
  };
  Attrs attrs;
  if (symbolic(from) != symbolic(to)) {
    attrs.push_back({"input_symbols", dim_names_attr(from)});
    attrs.push_back({"result_symbols", dim_names_attr(to)});
  }
  return b.add_node("kiln.reshape", {x}, std::move(attrs), std::move(to), at);
}

} // namespace

AttrValue i64_attr(int64_t v) {
  AttrValue a(AttrValue::I64);
  a.i = v;
  return a;
}

AttrValue f64_attr(double v) {
  AttrValue a(AttrValue::F64);
  a.f = v;
  return a;
}

AttrValue bool_attr(bool v) {
  AttrValue a(AttrValue::Bool);
  a.b = v;
  return a;
}

AttrValue dim_names_attr(Shape s) {
  AttrValue a(AttrValue::Symbols);
  a.dense_shape = std::move(s);
  return a;
}

AttrValue i64_array_attr(std::vector<int64_t> v) {
  AttrValue a(AttrValue::I64Array);
  a.ints = std::move(v);
  return a;
}

double linear_init_bound(int fan_in) { return 1.0 / std::sqrt(double(fan_in)); }

int unary(const char *name, int x, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current(name, loc);
  int nx = b.operand(x, name, at);
  return b.result(b.add_node(kiln_op(name), {nx}, {}, b.shape(nx), at), result);
}

int binary(const char *name, int x, int y, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current(name, loc);
  int nx = b.operand(x, name, at);
  int ny = b.operand(y, name, at);
  return b.result(binary_node(b, name, nx, ny, at), result);
}

int binary_scalar(const char *name, int x, float s, bool scalar_first,
                  ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current(name, loc);
  int nx = b.operand(x, name, at);
  int ns = constant_node(b, &s, 1, {}, at);
  int node = scalar_first ? binary_node(b, name, ns, nx, at)
                          : binary_node(b, name, nx, ns, at);
  return b.result(node, result);
}

int select(int cond, int x, int y, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("select", loc);
  int nc = b.operand(cond, "select", at);
  int nx = b.operand(x, "select", at), ny = b.operand(y, "select", at);
  Shape s = broadcast("select", b.shape(nc), b.shape(nx), at);
  s = broadcast("select", s, b.shape(ny), at);
  return b.result(b.add_node("kiln.select", {nc, nx, ny}, {}, std::move(s), at),
                  result);
}

int constant(const float *data, long long count, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("constant", loc);
  Shape shape = to_shape(result);
  int64_t elements = static_elements(shape);
  if (count != 1 && count != elements)
    fail(at, fmt::format("constant: {} values given for {}, which has {} "
                         "elements (give 1 value or all of them)",
                         count, to_string(shape), elements));
  if (!b.tracing())
    b.operand(-1, "constant", at); // reports the misuse
  return b.result(constant_node(b, data, count, shape, at), result);
}

namespace {

// [d0, ..., dk, C] -> [d0*...*dk, C]: the rows of a tensor as one dimension
// (a symbolic product when any of them is symbolic).
Shape rows_shape(const Shape &s) {
  Shape rows(s.begin(), s.end() - 1);
  return Shape{canonical_product(product_of(rows)), s.back()};
}

// x [..., K] op w, for w a matrix shared by every row: one 2-D product over
// the rows merged (reshapes are views), so that the weight's gradient is
// one product too, not a batch of them summed. `epilogue` runs on the 2-D
// product, before the reshape back, so that it fuses into the product's
// kernel (a bias).
template <class Epilogue>
int rows_matmul(Builder &b, int x, int w, bool tb, const Dim &n,
                Epilogue epilogue, const SrcLoc &at) {
  const Shape sx = b.shape(x);
  int rows = sx.size() == 2 ? x : reshape_node(b, x, rows_shape(sx), at);
  int mm = b.add_node(
      "kiln.matmul", {rows, w},
      {{"transpose_a", bool_attr(false)}, {"transpose_b", bool_attr(tb)}},
      Shape{b.shape(rows)[0], n}, at);
  mm = epilogue(mm);
  if (sx.size() == 2)
    return mm;
  Shape out = sx;
  out.back() = n;
  return reshape_node(b, mm, std::move(out), at);
}

} // namespace

int matmul(int x, int y, bool ta, bool tb, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("matmul", loc);
  int nx = b.operand(x, "matmul", at), ny = b.operand(y, "matmul", at);
  const Shape sa = b.shape(nx), sb = b.shape(ny);
  const std::string name =
      ta || tb ? fmt::format("matmul<{}, {}>", ta, tb) : "matmul";
  if (sa.size() < 2 || sb.size() < 2)
    fail(at, fmt::format("{}: operands must have rank 2 or more, got {} and {}",
                         name, to_string(sa), to_string(sb)));
  const size_t ra = sa.size(), rb = sb.size();
  const Dim &ka = sa[ra - (ta ? 2 : 1)], &kb = sb[rb - (tb ? 1 : 2)];
  if (!(ka == kb))
    fail(at, fmt::format("{}: inner dimensions of {} and {} differ "
                         "({} vs {})",
                         name, to_string(sa), to_string(sb), to_string(ka),
                         to_string(kb)));
  const Dim &n = sb[rb - (tb ? 2 : 1)];
  if (rb == 2 && ra > 2 && !ta)
    return b.result(rows_matmul(
                        b, nx, ny, tb, n, [](int mm) { return mm; }, at),
                    result);
  Shape out = broadcast(name, Shape(sa.begin(), sa.end() - 2),
                        Shape(sb.begin(), sb.end() - 2), at);
  out.push_back(sa[ra - (ta ? 1 : 2)]);
  out.push_back(n);
  int node = b.add_node(
      "kiln.matmul", {nx, ny},
      {{"transpose_a", bool_attr(ta)}, {"transpose_b", bool_attr(tb)}},
      std::move(out), at);
  return b.result(node, result);
}

int attention(int q, int k, int v, int mask, double scale, bool causal,
              ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  const char *name = "scaled_dot_product_attention";
  Builder &b = Builder::current(name, loc);
  int nq = b.operand(q, name, at), nk = b.operand(k, name, at),
      nv = b.operand(v, name, at);
  const Shape sq = b.shape(nq), sk = b.shape(nk), sv = b.shape(nv);
  const size_t r = sq.size();
  auto batch = [&](const Shape &s) { return Shape(s.begin(), s.end() - 2); };
  if (r < 2 || sk.size() != r || sv.size() != r || batch(sk) != batch(sq) ||
      batch(sv) != batch(sq) || !(sk[r - 1] == sq[r - 1]) ||
      !(sv[r - 2] == sk[r - 2]))
    fail(at, fmt::format("{}: q [..., S, D], k [..., K, D] and v [..., K, Dv] "
                         "must share their batch dimensions, got {}, {} and {}",
                         name, to_string(sq), to_string(sk), to_string(sv)));
  if (sq[r - 1].symbolic() || sv[r - 1].symbolic())
    fail(at, fmt::format("{}: the head sizes must be static, got q {} and v {}",
                         name, to_string(sq), to_string(sv)));
  std::vector<int> operands{nq, nk, nv};
  if (mask >= 0) {
    int nm = b.operand(mask, name, at);
    const Shape sm = b.shape(nm);
    bool ok = sm.size() == r - 1 && sm.back() == sk[r - 2];
    for (size_t d = 0; ok && d + 2 < r; ++d)
      ok = sm[d] == sq[d] || sm[d] == Dim{1, {}};
    if (!ok)
      fail(at, fmt::format("{}: the key mask must be [..., K] with q's batch "
                           "dimensions (or 1) and K = {}, got {}",
                           name, to_string(sk[r - 2]), to_string(sm)));
    operands.push_back(nm);
  }
  Shape out = sq;
  out.back() = sv.back();
  int node =
      b.add_node("kiln.attention", operands,
                 {{"scale", f64_attr(scale)}, {"causal", bool_attr(causal)}},
                 std::move(out), at);
  return b.result(node, result);
}

int linear(int x, int weight, int bias, bool layer, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("linear", loc);
  int nx = b.operand(x, "linear", at), nw = b.operand(weight, "linear", at);
  Shape sx = b.shape(nx), sw = b.shape(nw);
  std::string name =
      layer ? fmt::format("Linear<{}, {}>", to_string(sw[1]), to_string(sw[0]))
            : std::string("linear");
  if (sx.size() < 2)
    fail(at, fmt::format("{}: the input must be [rows..., {}], got {}", name,
                         to_string(sw[1]), to_string(sx)));
  if (!(sx.back() == sw[1]))
    fail(at, fmt::format("{}: the input's last dimension must be {} "
                         "(in_features), got {}",
                         name, to_string(sw[1]), to_string(sx)));
  auto add_bias = [&](int mm) {
    int nb = b.operand(bias, name, at);
    if (b.shape(nb) != Shape{sw[0]})
      fail(at, fmt::format("{}: the bias must be Tensor<{}>, got {}", name,
                           to_string(sw[0]), to_string(b.shape(nb))));
    return binary_node(b, "add", mm, nb, at);
  };
  return b.result(rows_matmul(b, nx, nw, true, sw[0], add_bias, at), result);
}

int reduce(Reduce op, int x, int axis, bool keepdim, ShapeRef result, Loc loc) {
  const char *name = reduce_name(op);
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current(name, loc);
  int nx = b.operand(x, name, at);
  Shape s = b.shape(nx);
  if (!valid_axis(axis, s))
    fail(at, fmt::format("{}: axis {} is out of range for {}", name, axis,
                         to_string(s)));
  if (keepdim)
    s[axis] = Dim{1, {}};
  else
    s.erase(s.begin() + axis);
  int node =
      b.add_node(kiln_op(name), {nx},
                 {{"axis", i64_attr(axis)}, {"keepdim", bool_attr(keepdim)}},
                 std::move(s), at);
  return b.result(node, result);
}

int reshape(int x, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("reshape", loc);
  int nx = b.operand(x, "reshape", at);
  Shape to = to_shape(result);
  return b.result(reshape_node(b, nx, std::move(to), at), result);
}

int concat(const int *xs, int count, int axis, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("concat", loc);
  std::vector<int> nodes;
  for (int i = 0; i < count; ++i)
    nodes.push_back(b.operand(xs[i], "concat", at));
  Shape out = b.shape(nodes[0]);
  if (!valid_axis(axis, out) || out[axis].symbolic())
    fail(at, fmt::format("concat: axis {} of {} is not a static dimension",
                         axis, to_string(out)));
  for (int i = 1; i < count; ++i) {
    const Shape &s = b.shape(nodes[i]);
    bool same = s.size() == out.size() && !s[axis].symbolic();
    for (size_t d = 0; same && d < s.size(); ++d)
      same = int(d) == axis || s[d] == out[d];
    if (!same)
      fail(at, fmt::format("concat: cannot concatenate {} and {} along axis "
                           "{}",
                           to_string(b.shape(nodes[0])), to_string(s), axis));
    out[axis].size += s[axis].size;
  }
  int node = b.add_node("kiln.concat", nodes, {{"axis", i64_attr(axis)}},
                        std::move(out), at);
  return b.result(node, result);
}

int slice(int x, int axis, int start, int size, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("slice", loc);
  int nx = b.operand(x, "slice", at);
  Shape s = b.shape(nx);
  if (!valid_axis(axis, s) || s[axis].symbolic() || start < 0 || size <= 0 ||
      start + size > s[axis].size)
    fail(at, fmt::format("slice: [{}, {}) along axis {} is not within {}",
                         start, start + size, axis, to_string(s)));
  s[axis].size = size;
  int node = b.add_node("kiln.slice", {nx},
                        {{"axis", i64_attr(axis)},
                         {"size", i64_attr(size)},
                         {"start", i64_attr(start)}},
                        std::move(s), at);
  return b.result(node, result);
}

int transpose(int x, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("transpose", loc);
  int nx = b.operand(x, "transpose", at);
  const Shape &s = b.shape(nx);
  if (s.size() != 2)
    fail(at,
         fmt::format("transpose: the input must be 2-D, got {}", to_string(s)));
  return b.result(b.add_node("kiln.transpose", {nx}, {}, Shape{s[1], s[0]}, at),
                  result);
}

namespace {
// The node of an Ints handle, rejecting a float one (the C++ types make
// that impossible from the DSL; the graph API may still be misused).
int index_operand(Builder &b, int handle, std::string_view op,
                  const SrcLoc &at) {
  int n = b.operand(handle, op, at);
  if (!b.ints(n))
    fail(at, fmt::format("{}: the indices must be an Ints<...> tensor, got "
                         "floats {}",
                         op, to_string(b.shape(n))));
  return n;
}
} // namespace

int gather(int table, int indices, int axis, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("gather", loc);
  int nt = b.operand(table, "gather", at);
  int ni = index_operand(b, indices, "gather", at);
  const Shape st = b.shape(nt), si = b.shape(ni);
  if (!valid_axis(axis, st) || st[axis].symbolic())
    fail(at, fmt::format("gather: axis {} of the table {} is not a static "
                         "dimension",
                         axis, to_string(st)));
  Shape out(st.begin(), st.begin() + axis);
  out.insert(out.end(), si.begin(), si.end());
  out.insert(out.end(), st.begin() + axis + 1, st.end());
  int node = b.add_node("kiln.gather", {nt, ni}, {{"axis", i64_attr(axis)}},
                        std::move(out), at);
  return b.result(node, result);
}

int one_hot(int indices, int classes, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("one_hot", loc);
  int ni = index_operand(b, indices, "one_hot", at);
  Shape out = b.shape(ni);
  out.push_back(Dim{classes, {}});
  int node = b.add_node("kiln.one_hot", {ni}, {{"classes", i64_attr(classes)}},
                        std::move(out), at);
  return b.result(node, result);
}

int cross_entropy(int logits, int targets, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("cross_entropy", loc);
  int nl = b.operand(logits, "cross_entropy", at);
  int nt = index_operand(b, targets, "cross_entropy", at);
  const Shape sl = b.shape(nl), st = b.shape(nt);
  if (sl.empty() || sl.back().symbolic() ||
      Shape(sl.begin(), sl.end() - 1) != st)
    fail(at, fmt::format("cross_entropy: the logits must be the targets' "
                         "shape and a static class axis, got logits {} and "
                         "targets {}",
                         to_string(sl), to_string(st)));
  int node = b.add_node("kiln.cross_entropy", {nl, nt}, {}, st, at);
  return b.result(node, result);
}

int iota(int x, int axis, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("iota", loc);
  int nx = b.operand(x, "iota", at);
  if (!valid_axis(axis, b.shape(nx)))
    fail(at, fmt::format("iota: axis {} is out of range for {}", axis,
                         to_string(b.shape(nx))));
  int node = b.add_node("kiln.iota", {nx}, {{"axis", i64_attr(axis)}},
                        b.shape(nx), at);
  return b.result(node, result);
}

int normalize(int x, double eps, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("normalize", loc);
  int nx = b.operand(x, "normalize", at);
  const Shape s = b.shape(nx);
  if (s.empty() || s.back().symbolic())
    fail(at, fmt::format("normalize: the last axis (the rows) must be static, "
                         "got {}",
                         to_string(s)));
  if (!(eps >= 0))
    fail(at, fmt::format("normalize: eps must be >= 0, got {}", eps));
  int node =
      b.add_node("kiln.normalize", {nx}, {{"eps", f64_attr(eps)}}, s, at);
  return b.result(node, result);
}

int write_slice(int buffer, int value, int position, int axis, ShapeRef result,
                Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("write_slice", loc);
  const int param = b.state_parameter(buffer, "write_slice", at);
  const int nb = b.operand(buffer, "write_slice", at);
  const int nv = b.operand(value, "write_slice", at);
  const int np = index_operand(b, position, "write_slice", at);
  const Shape sb = b.shape(nb), sv = b.shape(nv);
  bool fits = sb.size() == sv.size() && valid_axis(axis, sb);
  // Along the axis the value may be a symbol (a prompt of any length),
  // checked against the buffer when the entry point runs.
  for (size_t d = 0; fits && d < sb.size(); ++d)
    fits = !sb[d].symbolic() &&
           (int(d) == axis ? sv[d].symbolic() || sv[d].size <= sb[d].size
                           : sv[d] == sb[d]);
  if (!fits)
    fail(at, fmt::format("write_slice: {} does not fit {} along axis {} (the "
                         "other dimensions must be equal and static)",
                         to_string(sv), to_string(sb), axis));
  if (!b.shape(np).empty())
    fail(at, fmt::format("write_slice: the position must be a scalar "
                         "Ints<>, got {}",
                         to_string(b.shape(np))));
  int node = b.add_node("kiln.write_slice", {nb, nv, np},
                        {{"axis", i64_attr(axis)}}, sb, at);
  b.assign_state(param, node, "write_slice", at);
  return b.result(node, result);
}

int to_float(int indices, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("to_float", loc);
  int ni = index_operand(b, indices, "to_float", at);
  int node = b.add_node("kiln.to_float", {ni}, {}, b.shape(ni), at);
  return b.result(node, result);
}

int floor_to_int(int x, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("floor_to_int", loc);
  int nx = b.operand(x, "floor_to_int", at);
  if (b.ints(nx))
    fail(at, fmt::format("floor_to_int: {} already holds integers",
                         to_string(b.shape(nx))));
  int node = b.add_node("kiln.floor_to_int", {nx}, {}, b.shape(nx), at);
  b.set_ints(node);
  return b.result(node, result);
}

int permute(int x, const int *perm, int rank, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("permute", loc);
  int nx = b.operand(x, "permute", at);
  const Shape s = b.shape(nx);
  std::vector<int64_t> p(perm, perm + rank);
  std::vector<bool> seen(s.size(), false);
  bool ok = p.size() == s.size();
  for (int64_t d : p) {
    ok = ok && d >= 0 && d < int64_t(s.size()) && !seen[size_t(d)];
    if (ok)
      seen[size_t(d)] = true;
  }
  if (!ok)
    fail(at, fmt::format("permute: [{}] is not a permutation of the "
                         "dimensions of {}",
                         fmt::join(p, ", "), to_string(s)));
  Shape out;
  for (int64_t d : p)
    out.push_back(s[size_t(d)]);
  int node =
      b.add_node("kiln.permute", {nx}, {{"permutation", i64_array_attr(p)}},
                 std::move(out), at);
  return b.result(node, result);
}

int random_normal(int x, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("randn_like", loc);
  int nx = b.operand(x, "randn_like", at);
  int node =
      b.add_node("kiln.random_normal", {nx},
                 {{"stream", i64_attr(b.next_stream())}}, b.shape(nx), at);
  return b.result(node, result);
}

int random_uniform(int x, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("rand_like", loc);
  int nx = b.operand(x, "rand_like", at);
  int node =
      b.add_node("kiln.random_uniform", {nx},
                 {{"stream", i64_attr(b.next_stream())}}, b.shape(nx), at);
  return b.result(node, result);
}

int dropout(int x, double p, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("dropout", loc);
  if (!(p >= 0 && p < 1))
    fail(at, fmt::format("dropout: p must be in [0, 1), got {}", p));
  int nx = b.operand(x, "dropout", at);
  int u = b.add_node("kiln.random_uniform", {nx},
                     {{"stream", i64_attr(b.next_stream())}}, b.shape(nx), at);
  // keep = step(u - p): 1 when u > p, else 0 (kiln.step is relu's
  // derivative, so the mask carries no gradient).
  int diff = binary_node(b, "sub", u, scalar_node(b, float(p), at), at);
  int keep = b.add_node("kiln.step", {diff}, {}, b.shape(diff), at);
  int mask = binary_node(b, "mul", keep,
                         scalar_node(b, float(1.0 / (1.0 - p)), at), at);
  return b.result(binary_node(b, "mul", nx, mask, at), result);
}

namespace {
int dim_size_node(Builder &b, int x, int axis, const SrcLoc &at) {
  const Dim &d = b.shape(x)[axis];
  if (!d.symbolic())
    return scalar_node(b, float(d.size), at);
  return b.add_node("kiln.dim_size", {x}, {{"axis", i64_attr(axis)}}, Shape{},
                    at);
}
} // namespace

int dim_size(int x, int axis, ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current("dim_size", loc);
  int nx = b.operand(x, "dim_size", at);
  if (!valid_axis(axis, b.shape(nx)))
    fail(at, fmt::format("dim_size: axis {} is out of range for {}", axis,
                         to_string(b.shape(nx))));
  return b.result(dim_size_node(b, nx, axis, at), result);
}

int conv(bool transposed, int x, int w, int bias, int stride, int padding,
         bool layer, ShapeRef result, Loc loc) {
  const char *op = transposed ? "conv_transpose2d" : "conv2d";
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current(op, loc);
  int nx = b.operand(x, op, at), nw = b.operand(w, op, at);
  Shape sx = b.shape(nx), sw = b.shape(nw);
  std::string name = op;
  if (sw.size() == 4 && layer)
    name = fmt::format(
        "{}<{}, {}, {}, {}, {}>", transposed ? "ConvTranspose2d" : "Conv2d",
        to_string(sw[transposed ? 0 : 1]), to_string(sw[transposed ? 1 : 0]),
        to_string(sw[2]), stride, padding);
  else if (layer)
    name = transposed ? "ConvTranspose2d" : "Conv2d";
  if (sx.size() != 4 || sw.size() != 4)
    fail(at, fmt::format("{}: the input and the weight must be 4-D, got {} "
                         "and {}",
                         name, to_string(sx), to_string(sw)));
  for (int d = 0; d < 4; ++d)
    if (sw[d].symbolic() || (d > 0 && sx[d].symbolic()))
      fail(at, fmt::format("{}: channels, height and width must be static, "
                           "got {} and weight {}",
                           name, to_string(sx), to_string(sw)));
  const Dim &in = sw[transposed ? 0 : 1], &out = sw[transposed ? 1 : 0];
  if (!(sx[1] == in))
    fail(at, fmt::format("{}: the input must have {} channels (dimension 1), "
                         "got {} for weight {}",
                         name, in.size, to_string(sx), to_string(sw)));
  if (stride < 1 || padding < 0)
    fail(at, fmt::format("{}: stride must be >= 1 and padding >= 0, got {} "
                         "and {}",
                         name, stride, padding));
  Shape s{sx[0], out, {}, {}};
  for (int d = 2; d < 4; ++d) {
    int64_t n = sx[d].size, k = sw[d].size;
    int64_t o = transposed                ? (n - 1) * stride - 2 * padding + k
                : n + 2 * padding - k < 0 ? 0
                                          : (n + 2 * padding - k) / stride + 1;
    if (o < 1)
      fail(at, fmt::format("{}: the output of {} with weight {} would be "
                           "empty",
                           name, to_string(sx), to_string(sw)));
    s[d] = Dim{o, {}};
  }
  int node =
      b.add_node(transposed ? "kiln.conv_transpose2d" : "kiln.conv2d", {nx, nw},
                 {{"padding", i64_array_attr({padding, padding})},
                  {"stride", i64_array_attr({stride, stride})}},
                 std::move(s), at);
  if (bias >= 0) {
    int nb = b.operand(bias, name, at);
    if (b.shape(nb) != Shape{out})
      fail(at, fmt::format("{}: the bias must be Tensor<{}>, got {}", name,
                           out.size, to_string(b.shape(nb))));
    int b3 = reshape_node(b, nb, Shape{out, {1, {}}, {1, {}}}, at);
    node = binary_node(b, "add", node, b3, at);
  }
  return b.result(node, result);
}

int batch_norm(int x, int weight, int bias, int running_mean, int running_var,
               int mode, double eps, double momentum, std::string_view layer,
               ShapeRef result, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current(layer, loc);
  int nx = b.operand(x, layer, at);
  const Shape sx = b.shape(nx);
  int nw = b.operand(weight, layer, at), nb = b.operand(bias, layer, at);
  const Shape sc = b.shape(nw); // [C]
  if ((sx.size() != 2 && sx.size() != 4) || !(sx[1] == sc[0]))
    fail(at, fmt::format("{}: the input must be {}, got {}", layer,
                         sx.size() == 4 || sx.size() == 3
                             ? fmt::format("[N, {}, H, W]", to_string(sc[0]))
                             : fmt::format("[N, {}]", to_string(sc[0])),
                         to_string(sx)));
  for (size_t d = 2; d < sx.size(); ++d)
    if (sx[d].symbolic())
      fail(at, fmt::format("{}: height and width must be static, got {}", layer,
                           to_string(sx)));
  const bool spatial = sx.size() == 4;
  // A [C] vector as [C, 1, 1] (rank 4 inputs) so that it broadcasts over
  // [N, C, H, W]; unchanged for [N, C].
  auto per_channel = [&](int v) {
    return spatial ? reshape_node(b, v, Shape{sc[0], {1, {}}, {1, {}}}, at) : v;
  };

  if (mode == 2) { // eval: y = x * scale + shift with the running statistics
    int rm = b.state_value(running_mean, at);
    int rv = b.state_value(running_var, at);
    int ve = binary_node(b, "add", rv, scalar_node(b, float(eps), at), at);
    int sd = unary_node(b, "sqrt", ve, at);
    int scale = binary_node(b, "div", nw, sd, at);
    int shift =
        binary_node(b, "sub", nb, binary_node(b, "mul", rm, scale, at), at);
    int y = binary_node(b, "mul", nx, per_channel(scale), at);
    return b.result(binary_node(b, "add", y, per_channel(shift), at), result);
  }

  // n = N * H * W values per channel. With one (a batch of one [N, C]
  // input) the variance is 0 and the unbiased running variance 0 * inf:
  // PyTorch refuses, and so does kiln, at build time for a static N and
  // when the entry point is called for a symbolic one.
  int64_t per_sample = 1;
  for (size_t d = 2; d < sx.size(); ++d)
    per_sample *= sx[d].size;
  if (!sx[0].symbolic() && sx[0].size * per_sample < 2)
    fail(at, fmt::format("{}: training needs more than one value per "
                         "channel, got {}",
                         layer, to_string(sx)));
  if (sx[0].symbolic() && per_sample < 2)
    b.require_minimum(
        sx[0].symbol, 2,
        fmt::format("{} in training mode ({}:{}) needs more than one value "
                    "per channel",
                    layer, at.file, at.line));

  // Batch statistics over every axis but 1, kept as [1, C(, 1, 1)]; the
  // mean of equal-sized means is the mean, so one axis at a time is exact,
  // and so is the mean over the processes of a data-parallel job (equal
  // shares of the batch): their sum over the processes divided by their
  // number. That sum is the identity unless the job synchronises BatchNorm
  // (kiln train --sync-batchnorm; kiln-local-replicas removes it from
  // single-process entry points).
  const int replicas = b.add_node("kiln.replica_count", {}, {}, Shape{}, at);
  auto batch_mean = [&](int v) {
    for (int axis = int(sx.size()) - 1; axis >= 0; --axis)
      if (axis != 1)
        v = reduce_node(b, Reduce::mean, v, axis, true, at);
    // Divided before the sum: the sum is then the stored value that
    // kiln-fuse recomputes x - mean from.
    v = binary_node(b, "div", v, replicas, at);
    return b.add_node("kiln.replica_sum", {v}, {}, b.shape(v), at);
  };
  int mean = batch_mean(nx);
  int centered = binary_node(b, "sub", nx, mean, at);
  int var = batch_mean(binary_node(b, "mul", centered, centered, at));
  int ve = binary_node(b, "add", var, scalar_node(b, float(eps), at), at);
  int sd = unary_node(b, "sqrt", ve, at);
  int scale = binary_node(b, "div", per_channel(nw), sd, at);
  int y = binary_node(b, "mul", centered, scale, at);
  y = binary_node(b, "add", y, per_channel(nb), at);

  if (mode == 0) { // running statistics: momentum, unbiased variance
    if (b.open_entry().kind != "train")
      fail(at, fmt::format("{}: Mode::train updates the running statistics, "
                           "which only a train entry point can do; use "
                           "Mode::eval or Mode::train_no_stats_update in "
                           "infer entry point '{}'",
                           layer, b.open_entry().name));
    // The unbiased variance's n / (n - 1), n counting the values of every
    // process: kiln.dim_size for a symbolic N.
    int n = dim_size_node(b, nx, 0, at);
    if (per_sample != 1)
      n = binary_node(b, "mul", n, scalar_node(b, float(per_sample), at), at);
    n = binary_node(b, "mul", n, replicas, at);
    int n1 = binary_node(b, "sub", n, scalar_node(b, 1.0f, at), at);
    int correction = binary_node(b, "div", n, n1, at);
    auto update = [&](int state, int batch_value) {
      int old = b.state_value(state, at);
      int batch = reshape_node(b, batch_value, Shape{sc[0]}, at);
      int kept = binary_node(
          b, "mul", scalar_node(b, float(1.0 - momentum), at), old, at);
      int added =
          binary_node(b, "mul", scalar_node(b, float(momentum), at), batch, at);
      int param = b.state_parameter(state, layer, at);
      b.assign_state(param, binary_node(b, "add", kept, added, at), layer, at);
    };
    update(running_mean, mean);
    update(running_var, binary_node(b, "mul", var, correction, at));
  }
  return b.result(y, result);
}

void check_broadcast(const char *name, int x, int y, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current(name, loc);
  int nx = b.operand(x, name, at), ny = b.operand(y, name, at);
  broadcast(name, b.shape(nx), b.shape(ny), at);
}

} // namespace kiln::dsl::detail
