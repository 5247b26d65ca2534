//===- KilnTraits.h - what kind of computation an op is ---------*- C++ -*-===//
//
// Marker traits, attached in KilnOps.td, that the passes ask instead of
// keeping their own lists of ops: fusion groups by them, the emitters pick
// a schedule by them. See docs/architecture.md, "Adding an op".
//
//===----------------------------------------------------------------------===//
#pragma once

#include "mlir/IR/OpDefinition.h"

namespace kiln::OpTrait {

/// Computed one element at a time from its operands' elements at the same
/// (broadcast) index: fusion may merge it into a neighbouring kernel.
template <typename ConcreteType>
class Elementwise : public mlir::OpTrait::TraitBase<ConcreteType, Elementwise> {
};

/// About one instruction per element: recomputed in each consumer's kernel
/// rather than stored (kiln-fuse's rematerialization).
template <typename ConcreteType>
class Cheap : public mlir::OpTrait::TraitBase<ConcreteType, Cheap> {};

/// Moves or copies elements without arithmetic (reshape, slice, concat,
/// pad, transpose): fused into the kernel that reads it.
template <typename ConcreteType>
class Layout : public mlir::OpTrait::TraitBase<ConcreteType, Layout> {};

/// A matmul, convolution or attention: anchors a kernel and never absorbs a
/// producer (it would be recomputed once per output column or channel).
template <typename ConcreteType>
class Contraction : public mlir::OpTrait::TraitBase<ConcreteType, Contraction> {
};

/// Reduces over an `axis` attribute (with `keepdim`): anchors a kernel.
template <typename ConcreteType>
class Reduction : public mlir::OpTrait::TraitBase<ConcreteType, Reduction> {};

} // namespace kiln::OpTrait
