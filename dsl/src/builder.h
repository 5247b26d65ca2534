// The graph builder behind ModuleBuilder: owns the Module being built, maps
// Tensor handles to nodes, and reports errors at the user's source location.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "module.h"

namespace kiln::dsl::detail {

// Throws kiln::dsl::Error("FILE:LINE:COL: error: MESSAGE").
[[noreturn]] void fail(const SrcLoc &loc, const std::string &message);
[[noreturn]] void fail(const Loc &loc, const std::string &message);

class Builder {
public:
  explicit Builder(std::string name) { module_.name = std::move(name); }

  // The builder of the live ModuleBuilder; `what` and `loc` describe the
  // caller for the error raised when there is none.
  static Builder &current(std::string_view what, const Loc &loc);
  static Builder *current_or_null();
  static void set_current(Builder *b);

  const Module &module() const { return module_; }
  bool tracing() const { return open_ >= 0; }

  // Node index (in the entry point being traced) for a Tensor handle used as
  // an operand of `op`; parameters get a kiln.param_ref on first use.
  int operand(int handle, std::string_view op, const SrcLoc &loc);
  const Shape &shape(int node) const;
  // Whether a node holds i32 values (Ints<...>); set_ints marks one that
  // does (an op whose result is integers).
  bool ints(int node) const;
  void set_ints(int node);

  // Appends an op node to the entry point being traced; returns its index.
  int add_node(std::string op, std::vector<int> operands, Attrs attrs,
               Shape shape, const SrcLoc &loc);
  // The `stream` of a new kiln.random_normal: 0, 1, ... in emission order
  // over the whole module.
  int64_t next_stream() { return module_.next_stream++; }
  // The Tensor handle of a node, after checking that the shape this builder
  // inferred equals the one the C++ type promised (a DSL bug otherwise).
  int result(int node, ShapeRef promised);

  // A handle to a node of the entry point being traced (no shape check).
  int handle(int node) { return new_handle(open_, node); }

  int declare_parameter(std::string_view name, Shape shape, InitKind init,
                        std::vector<double> args, const SrcLoc &loc, bool state,
                        bool buffer = false);
  // State parameters (role = #kiln<role state>): the index of the one `handle`
  // refers to (an error names `what` otherwise); the node of its current value
  // in the entry point being traced (the last assigned node, else a
  // kiln.param_ref); a new value, written as kiln.param_assign when the
  // entry point ends.
  int state_parameter(int handle, std::string_view what, const SrcLoc &loc);
  const Parameter &parameter(int index) const { return module_.params[index]; }
  int state_value(int handle, const SrcLoc &loc);
  void assign_state(int param, int node, std::string_view what,
                    const SrcLoc &loc);
  const Function &open_entry() const { return module_.functions[open_]; }
  // The entry point being traced needs `symbol` >= min (kiln.minimums); the
  // largest minimum per symbol is kept, with its reason.
  void require_minimum(const std::string &symbol, int64_t min, std::string why);
  void begin_entry(std::string_view name, const char *kind, int num_args,
                   const OptimizerSpec *optimizer, const SrcLoc &loc);
  int argument(int index, Shape shape, bool ints);
  int end_entry(const int *results, int count);
  void abort_entry() noexcept;
  void set_names(int entry, bool results, const std::string_view *names,
                 int count);
  void add_sequence(std::string_view name, const std::string_view *entries,
                    int count, const SrcLoc &loc);
  // An entry point being declared (contract.cpp sets its kiln.data).
  Function &function(int entry) { return module_.functions.at(entry); }
  // train(...).no_decay(globs...): checked against the parameters the
  // entry point reads.
  void set_no_decay(int entry, const std::string_view *globs, int count,
                    const SrcLoc &where);
  void set_params(int entry, const std::string_view *prefixes, int count,
                  const SrcLoc &loc);

private:
  // What a Tensor handle refers to: node `index` of function `function`, or
  // parameter `index` when function == -1.
  struct ValueRef {
    int function;
    int index;
  };
  int new_handle(int function, int index);
  Function &open_function() { return module_.functions[open_]; }

  Module module_;
  std::vector<ValueRef> values_;
  int open_ = -1;               // function being traced
  int64_t stream_at_begin_ = 0; // restored when an entry point is aborted
};

} // namespace kiln::dsl::detail
