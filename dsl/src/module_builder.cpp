// ModuleBuilder: the public face of Builder.
#include "builder.h"
#include "kiln/dsl/error.h"
#include "kiln/dsl/model.h"
#include "mlir_writer.h"

#include <fmt/format.h>

namespace kiln::dsl {

ModuleBuilder::ModuleBuilder(std::string_view model_name,
                             std::source_location loc) {
  if (detail::Builder::current_or_null())
    detail::fail(loc, "ModuleBuilder: another module is already being built");
  builder_ = new detail::Builder(std::string(model_name));
  detail::Builder::set_current(builder_);
}

ModuleBuilder::~ModuleBuilder() {
  if (detail::Builder::current_or_null() == builder_)
    detail::Builder::set_current(nullptr);
  delete builder_;
}

std::string ModuleBuilder::mlir() const {
  if (builder_->tracing())
    throw Error("error: ModuleBuilder::mlir() called while an entry point is "
                "being traced");
  return detail::write_mlir(builder_->module());
}

} // namespace kiln::dsl
