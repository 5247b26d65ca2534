//===- KilnDialect.h - the kiln dialect -------------------------*- C++ -*-===//
#pragma once

#include "mlir/IR/Dialect.h"

#include "kiln/Dialect/KilnDialect.h.inc"
