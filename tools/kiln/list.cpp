// kiln list: every linked model and its entry points.
#include "commands.h"
#include "describe.h"

#include "kiln/runtime/model.h"

#include <fmt/ostream.h>

namespace kiln::cli {

int list_command(std::ostream &out) {
  const auto models = rt::registered_models();
  if (models.empty()) {
    fmt::print(out, "no models are linked into this kiln (add them with "
                    "kiln_add_model() in models/)\n");
    return kExitOk;
  }
  for (const rt::ModelDesc *m : models) {
    fmt::print(out, "{}\n", m->name);
    for (const rt::EntryDesc &e : m->entries)
      fmt::print(out, "  {}\n", describe(e));
  }
  return kExitOk;
}

} // namespace kiln::cli
