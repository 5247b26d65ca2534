#include "kiln/runtime/model.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

namespace kiln::rt {
namespace {

// The registry is filled before main's real work starts (the kiln CLI calls
// a generated function), but a mutex keeps tests and late loads honest.
struct Registry {
  std::mutex mutex;
  std::vector<const ModelDesc *> models;
};

Registry &registry() {
  static Registry r; // function-local: safe from static-init order
  return r;
}

} // namespace

const EntryDesc *ModelDesc::find_entry(std::string_view entry) const {
  for (const EntryDesc &e : entries)
    if (e.name == entry)
      return &e;
  return nullptr;
}

void register_model(const ModelDesc &model) {
  Registry &r = registry();
  std::lock_guard lock(r.mutex);
  for (const ModelDesc *m : r.models) {
    if (m == &model)
      return; // registering twice is harmless
    if (m->name == model.name)
      throw Error(
          fmt::format("two different models are named '{}'", model.name));
  }
  r.models.push_back(&model);
}

const ModelDesc *find_model(std::string_view name) {
  Registry &r = registry();
  std::lock_guard lock(r.mutex);
  for (const ModelDesc *m : r.models)
    if (m->name == name)
      return m;
  return nullptr;
}

std::vector<const ModelDesc *> registered_models() {
  Registry &r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<const ModelDesc *> models = r.models;
  std::ranges::sort(models, {}, &ModelDesc::name);
  return models;
}

} // namespace kiln::rt
