// The seam between the header-only front end (templates that compute result
// types and reject static shape errors) and the graph builder in dsl/src.
//
// Every function here is an ordinary non-template function implemented in a
// .cpp file: it re-checks the shapes at run time (this is where symbolic
// dimensions are compared), appends one or more nodes to the entry point being
// built, and returns the handle of the result. Errors throw kiln::dsl::Error
// with the user's file:line:col.
#pragma once

#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>

#include "kiln/dsl/symbols.h"

namespace kiln::dsl {
struct Data;
}

namespace kiln::dsl::detail {

using Loc = std::source_location;

// Shape as seen from the C++ type: symbol == nullptr for a static size.
struct DimInfo {
  int size;
  const char *symbol;
};
struct ShapeRef {
  const DimInfo *dims;
  int rank;
};

// "batch" or "128"; one factor of times<>.
template <auto F> std::string factor_name() {
  if constexpr (std::is_enum_v<decltype(F)>)
    return symbol_name(F); // found by argument-dependent lookup
  else
    return std::to_string(F);
}

// "batch*128": the builder puts a product in canonical order.
template <auto... F> const char *product_name(Times<F...>) {
  static const std::string name = [] {
    std::string s;
    ((s += (s.empty() ? "" : "*") + factor_name<F>()), ...);
    return s;
  }();
  return name.c_str();
}

template <auto D> DimInfo dim_info() {
  if constexpr (std::is_enum_v<decltype(D)>)
    return {-1, symbol_name(D)}; // found by argument-dependent lookup
  else if constexpr (std::is_same_v<decltype(D), int>)
    return {D, nullptr};
  else
    return {-1, product_name(D)};
}

// One static table per tensor type.
template <auto... D> ShapeRef shape_of() {
  static const DimInfo dims[sizeof...(D) + 1] = {dim_info<D>()...,
                                                 DimInfo{0, nullptr}};
  return {dims, int(sizeof...(D))};
}

enum class Reduce { sum, mean, max };
enum class InitKind { zeros, ones, constant, uniform, normal };

// Parameters and entry-point arguments. `state`: role = #kiln<role state> (not
// trained; updated by kiln.param_assign, e.g. BatchNorm running statistics).
// `buffer`: role = #kiln<role buffer> (not trained, not checkpointed; infer
// entry points may write it, write_slice).
int parameter(std::string_view name, ShapeRef shape, InitKind init, double a,
              double b, Loc loc, bool state = false, bool buffer = false);
// `ints`: an Ints<...> (i32) argument.
int argument(int index, ShapeRef shape, bool ints = false);

// Ops. `result` is the shape the C++ type promises; the builder checks that
// its own inference agrees. `op` names a pointwise op of the dialect
// (`"tanh"` is kiln.tanh, docs/ops.md).
int unary(const char *op, int x, ShapeRef result, Loc loc);
int binary(const char *op, int a, int b, ShapeRef result, Loc loc);
int binary_scalar(const char *op, int x, float s, bool scalar_first,
                  ShapeRef result, Loc loc);
// kiln.select: a where cond is non-zero, else b (all three broadcast).
int select(int cond, int a, int b, ShapeRef result, Loc loc);
int constant(const float *data, long long count, ShapeRef result, Loc loc);
int matmul(int a, int b, bool transpose_a, bool transpose_b, ShapeRef result,
           Loc loc);
// kiln.attention; `mask` -1 for none.
int attention(int q, int k, int v, int mask, double scale, bool causal,
              ShapeRef result, Loc loc);
// `layer`: name the op "Linear<in, out>" in errors instead of "linear".
int linear(int x, int weight, int bias, bool layer, ShapeRef result, Loc loc);
int reduce(Reduce op, int x, int axis, bool keepdim, ShapeRef result, Loc loc);
int reshape(int x, ShapeRef result, Loc loc);
int concat(const int *xs, int count, int axis, ShapeRef result, Loc loc);
int slice(int x, int axis, int start, int size, ShapeRef result, Loc loc);
int transpose(int x, ShapeRef result, Loc loc);
// kiln.permute: result dimension i is x's dimension perm[i].
int permute(int x, const int *perm, int rank, ShapeRef result, Loc loc);
// Index ops (indices.h): `indices` is an Ints handle.
int gather(int table, int indices, int axis, ShapeRef result, Loc loc);
int one_hot(int indices, int classes, ShapeRef result, Loc loc);
int to_float(int indices, ShapeRef result, Loc loc);
int floor_to_int(int x, ShapeRef result, Loc loc);
// kiln.normalize: each row of x's last axis (static) to zero mean and unit
// biased variance, (x - mean) / sqrt(var + eps).
int normalize(int x, double eps, ShapeRef result, Loc loc);
// kiln.cross_entropy: per row of `logits` (classes last, static), the
// softmax cross-entropy against `targets` (an Ints handle of the rows).
int cross_entropy(int logits, int targets, ShapeRef result, Loc loc);
// kiln.iota: x's shape, each element its index along `axis`.
int iota(int x, int axis, ShapeRef result, Loc loc);
// kiln.write_slice of `value` into buffer parameter `buffer` at `position`
// (an Ints<> handle) along `axis`; records the buffer's new value.
int write_slice(int buffer, int value, int position, int axis, ShapeRef result,
                Loc loc);
// kiln.random_normal / kiln.random_uniform shaped like x, with the module's
// next `stream` number.
int random_normal(int x, ShapeRef result, Loc loc);
int random_uniform(int x, ShapeRef result, Loc loc);
// Inverted dropout of x with drop probability p (0 < p < 1), from one
// kiln.random_uniform (see random.h).
int dropout(int x, double p, ShapeRef result, Loc loc);
// kiln.dim_size: the extent of `axis` of x as a Scalar (a kiln.constant when
// the dimension is static).
int dim_size(int x, int axis, ShapeRef result, Loc loc);

// kiln.conv2d (transposed = false; w [O, C, K, K]) or kiln.conv_transpose2d
// (w [C, O, K, K]), square stride and padding; `bias` >= 0 adds a [O] bias
// as [O, 1, 1]. `layer`: name the op "Conv2d<...>"/"ConvTranspose2d<...>"
// in errors instead of "conv2d"/"conv_transpose2d".
int conv(bool transposed, int x, int w, int bias, int stride, int padding,
         bool layer, ShapeRef result, Loc loc);

// Reads the current value of a state parameter in the entry point being
// traced: the last value given to state_assign() in it, else a
// kiln.param_ref. state_assign() records a new value; the entry point ends
// with one kiln.param_assign per assigned state parameter (its final value).
int state_read(int state, std::string_view what, Loc loc);
void state_assign(int state, int value, std::string_view what, Loc loc);

// Batch normalisation over every axis but 1 (x [N, C] or [N, C, H, W]).
// mode: 0 = train (batch statistics, running statistics updated), 1 = train
// without updating them, 2 = eval (running statistics). `layer` names it in
// errors ("BatchNorm2d<64> 'generator.5'").
int batch_norm(int x, int weight, int bias, int running_mean, int running_var,
               int mode, double eps, double momentum, std::string_view layer,
               ShapeRef result, Loc loc);
// Checks that two operands broadcast, reporting a failure as op `name`'s
// (used by composites such as bce_with_logits before their first node).
void check_broadcast(const char *name, int a, int b, Loc loc);

// A train entry point's optimizer (docs/ir.md, "Training entry points"):
// kind "sgd", "adam" or "adamw" and every field, in the order given.
struct OptimizerSpec {
  const char *kind;
  int count;
  const char *names[7];
  double values[7];
};

// Entry points: begin, create the arguments, run the user's function, end.
// `optimizer` is null for an infer entry point and required for a train one.
void begin_entry(std::string_view name, const char *kind, int num_args,
                 const OptimizerSpec *optimizer, Loc loc);
int end_entry(const int *results, int count);
void abort_entry() noexcept;
void set_names(int entry, bool results, const std::string_view *names,
               int count);
// kiln.data of an entry point's inputs (results = false) or outputs: one
// meaning per tensor (data.h); kiln.batch of a train entry point.
void set_data(int entry, bool results, const Data *data, int count);
void set_batch(int entry, int size);
// `params = [...]` of a train entry point's kiln.optimizer: the prefixes of
// the parameters it updates (docs/ir.md).
void set_params(int entry, const std::string_view *prefixes, int count,
                Loc loc);
// `no_decay = [...]` of a train entry point's kiln.optimizer: globs of the
// parameters that get no weight decay.
void set_no_decay(int entry, const std::string_view *globs, int count, Loc loc);
// kiln.sequences (docs/ir.md): an entry point `name` that runs the train
// entry points `entries`, already declared, one after another in one call.
void add_sequence(std::string_view name, const std::string_view *entries,
                  int count, Loc loc);

// Default PyTorch nn.Linear init bound, 1/sqrt(fan_in).
double linear_init_bound(int fan_in);

} // namespace kiln::dsl::detail
