//===- KilnAttrs.td - the dialect's attributes -------------*- tablegen -*-===//
//
// The enums of KilnEnums.td as attributes of the dialect, so that the IR
// itself is typed: a parameter's initialiser and role, an entry point's
// kind and the operand an attention gradient differentiates are parsed and
// verified by the attribute, never compared as strings. Alone they print as
// #kiln<init uniform>, inside an op's custom form as the bare keyword.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_ATTRS
#define KILN_ATTRS

include "kiln/Dialect/KilnDialect.td"
include "kiln/Dialect/KilnEnums.td"
include "mlir/IR/EnumAttr.td"

def Kiln_InitKindAttr : EnumAttr<Kiln_Dialect, Kiln_InitKind, "init">;
def Kiln_ParamRoleAttr : EnumAttr<Kiln_Dialect, Kiln_ParamRole, "role">;
// On a func.func as the discardable attribute `kiln.entry`.
def Kiln_EntryKindAttr : EnumAttr<Kiln_Dialect, Kiln_EntryKind, "entry">;
def Kiln_AttentionOperandAttr
    : EnumAttr<Kiln_Dialect, Kiln_AttentionOperand, "operand">;

#endif // KILN_ATTRS
