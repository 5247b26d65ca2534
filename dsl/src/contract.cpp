// EntryRef::consumes / produces / batch: what an entry point's tensors
// mean (kiln/dsl/data.h). The DSL checks what it can say at the call (the
// count, the kind, which side it belongs on); kilnc checks that each
// tensor's shape fits its meaning (compiler/lib/Analysis/Contract.cpp).
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "builder.h"
#include "kiln/dsl/data.h"

namespace kiln::dsl::detail {
namespace {

constexpr const char *kInputKinds[] = {
    "images", "onehot",   "noise",         "text", "next_text", "position",
    "source", "timestep", "prev_timestep", "eta",  "latent"};
constexpr const char *kOutputKinds[] = {
    "images", "loss", "logits", "features", "latent", "score", "next_logits"};

template <size_t N> bool known(const char *kind, const char *const (&list)[N]) {
  return std::any_of(std::begin(list), std::end(list),
                     [&](const char *k) { return std::strcmp(k, kind) == 0; });
}

} // namespace

void set_data(int entry, bool results, const Data *data, int count) {
  Builder &b = Builder::current(results ? "produces" : "consumes", Loc{});
  Function &f = b.function(entry);
  const char *what = results ? "produces" : "consumes";
  auto &target = results ? f.result_data : f.arg_data;
  const size_t tensors = results ? f.results.size() : size_t(f.num_args);
  if (!target.empty())
    fail(f.loc,
         fmt::format("entry point '{}': {}() is given twice", f.name, what));
  if (results && f.kind == "train")
    fail(f.loc, fmt::format("train('{}').produces(): a train entry point's "
                            "outputs are its loss and loss terms",
                            f.name));
  if (size_t(count) != tensors)
    fail(f.loc, fmt::format("entry point '{}' has {} {}, but {}() gives {} "
                            "meanings",
                            f.name, tensors, results ? "outputs" : "inputs",
                            what, count));
  for (int i = 0; i < count; ++i) {
    const Data &d = data[i];
    if (!known(d.kind, kInputKinds) && !known(d.kind, kOutputKinds))
      fail(f.loc, fmt::format("entry point '{}': unknown data kind '{}'",
                              f.name, d.kind));
    if (results ? !known(d.kind, kOutputKinds) : !known(d.kind, kInputKinds))
      fail(f.loc,
           fmt::format("entry point '{}': data::{}() describes {}, "
                       "not {}",
                       f.name, d.kind, results ? "an input" : "an output",
                       results ? "an output" : "an input"));
    if (std::strcmp(d.kind, "images") == 0 && !(d.min < d.max))
      fail(f.loc, fmt::format("entry point '{}': images({}, {}): the pixel "
                              "range must have min < max",
                              f.name, d.min, d.max));
    if (std::strcmp(d.kind, "position") == 0 && d.max < 0)
      fail(f.loc, fmt::format("entry point '{}': position({}): the window "
                              "must be positive",
                              f.name, d.max));
    target.push_back({d.kind, d.min, d.max});
  }
}

void set_batch(int entry, int size) {
  Builder &b = Builder::current("batch", Loc{});
  Function &f = b.function(entry);
  if (f.kind != "train")
    fail(f.loc, fmt::format("infer('{}').batch(): only train entry points "
                            "have a training batch",
                            f.name));
  if (size < 1)
    fail(f.loc, fmt::format("train('{}').batch({}): the batch must be at "
                            "least 1",
                            f.name, size));
  f.batch = size;
}

} // namespace kiln::dsl::detail
