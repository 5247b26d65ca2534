//===- KilnDialect.cpp - the kiln dialect ---------------------------------===//

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Dialect/KilnOps.h"

using namespace mlir;
using namespace kiln;

#include "kiln/Dialect/KilnDialect.cpp.inc"
#include "kiln/Dialect/KilnInterfaces.cpp.inc"

void KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "kiln/Dialect/KilnOps.cpp.inc"
      >();
}
