// The in-memory graph the DSL builds: a module of parameters and functions
// (one per entry point), each a list of nodes in creation order. It knows
// nothing about MLIR syntax; mlir_writer.cpp turns it into text.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "shape.h"

namespace kiln::dsl::detail {

struct SrcLoc {
  std::string file;
  unsigned line = 0, column = 0;
};
SrcLoc to_src_loc(const Loc &loc);

// A typed attribute value; the writer decides how each is spelled.
struct AttrValue {
  enum Kind { I64, F64, Bool, SymbolRef, DenseF32, I64Array, Symbols } kind;
  explicit AttrValue(Kind k) : kind(k) {}
  int64_t i = 0;
  double f = 0;              // F64
  std::vector<int64_t> ints; // I64Array: array<i64: ...>
  bool b = false;
  std::string symbol;       // SymbolRef
  std::vector<float> dense; // DenseF32: one value (splat) or all elements
  Shape dense_shape;        // DenseF32, Symbols (["batch*seq", ""])
};
using Attrs = std::vector<std::pair<std::string, AttrValue>>;

AttrValue i64_attr(int64_t v);
AttrValue f64_attr(double v);
AttrValue bool_attr(bool v);
AttrValue i64_array_attr(std::vector<int64_t> v);
// The names of a shape's dimensions, "" for static ones (kiln.reshape).
AttrValue dim_names_attr(Shape s);

// One SSA value: a function argument (op empty) or the result of one op.
struct Node {
  std::string op; // e.g. "kiln.add"
  std::vector<int> operands;
  Attrs attrs;
  Shape shape;
  SrcLoc loc;
  bool has_result = true; // false for kiln.param_assign
  bool ints = false;      // an i32 value (an Ints<...> argument)
};

// A state parameter assigned in the entry point being traced: its latest
// value and the location of the op that produced it.
struct StateValue {
  int node;
  SrcLoc loc;
};

// A lower bound on a symbol an entry point needs, and what needs it.
struct SymbolMinimum {
  std::string symbol;
  int64_t min = 1;
  std::string why;
};

// What an input or output means (kiln/dsl/data.h); kind empty if unsaid.
struct DataSpec {
  std::string kind;
  double min = 0, max = 0;
};

struct Function {
  std::string name;
  std::string kind; // "infer" or "train"
  SrcLoc loc;       // the infer()/train() call
  int num_args = 0; // nodes [0, num_args) are the arguments
  std::vector<Node> nodes;
  std::vector<int> results;
  std::vector<std::string> arg_names, result_names;
  std::vector<DataSpec> arg_data, result_data; // empty until declared
  int64_t batch = 0;                           // kiln.batch; 0 if unsaid
  std::map<int, int> param_refs; // parameter index -> its kiln.param_ref node
  // A train entry's optimizer: kind ("sgd", "adam", "adamw") and fields.
  std::string optimizer;
  std::vector<std::pair<std::string, double>> optimizer_fields;
  // `params` of kiln.optimizer: prefixes of the parameters it updates.
  std::vector<std::string> optimizer_params;
  std::vector<std::string> optimizer_no_decay; // globs

  // State parameters assigned so far (parameter index -> latest value), in
  // the order of their first assignment.
  std::map<int, StateValue> state_values;
  std::vector<int> state_order;
  // kiln.minimums: checked by the runtime when the entry point is called.
  std::vector<SymbolMinimum> minimums;
};

struct Parameter {
  std::string name;
  Shape shape;
  InitKind init;
  std::vector<double> init_args;
  SrcLoc loc;
  bool used = false;  // referenced by some entry point
  bool state = false; // role = #kiln<role state>
  bool buffer =
      false; // role = #kiln<role buffer> (a cache infer entries update)
};

// An entry point made of train entry points called in order (kiln.sequences).
struct Sequence {
  std::string name;
  std::vector<std::string> entries;
  SrcLoc loc;
};

struct Module {
  std::string name;
  std::vector<Parameter> params;
  std::vector<Function> functions;
  std::vector<Sequence> sequences;
  int64_t next_stream = 0; // `stream` of the next kiln.random_normal
};

} // namespace kiln::dsl::detail
