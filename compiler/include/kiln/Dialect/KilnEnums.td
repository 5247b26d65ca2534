//===- KilnEnums.td - the dialect's closed sets of names ---*- tablegen -*-===//
//
// The C++ enums (and their parse/print functions) of the dialect's closed
// sets of names. KilnAttrs.td makes the IR's ones attributes (a
// parameter's initialiser and role, an entry point's kind, an attention
// gradient's operand); kilnc's options are parsed into the others.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_ENUMS
#define KILN_ENUMS

include "mlir/IR/EnumAttr.td"

def Kiln_InitKind : I32EnumAttr<"InitKind", "a parameter's initialiser", [
    I32EnumAttrCase<"zeros", 0>, I32EnumAttrCase<"ones", 1>,
    I32EnumAttrCase<"constant", 2>, I32EnumAttrCase<"uniform", 3>,
    I32EnumAttrCase<"normal", 4>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}

// parameter: trained and checkpointed; state: updated by entry points
// (optimizer moments, BatchNorm statistics) and checkpointed; buffer:
// neither trained nor checkpointed, set by the runtime (an optimizer's
// learning rate, which a schedule changes per step).
def Kiln_ParamRole : I32EnumAttr<"ParamRole", "what a parameter is", [
    I32EnumAttrCase<"parameter", 0>, I32EnumAttrCase<"state", 1>,
    I32EnumAttrCase<"buffer", 2>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}

// Entry points: kiln.entry on a func.func.
// gradients and update are the two halves of a train entry point that
// kilnc --data-parallel adds (the kiln-data-parallel pass); a model's
// source declares infer and train only.
def Kiln_EntryKind : I32EnumAttr<"EntryKind", "an entry point's kind", [
    I32EnumAttrCase<"infer", 0>, I32EnumAttrCase<"train", 1>,
    I32EnumAttrCase<"gradients", 2>, I32EnumAttrCase<"update", 3>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}

// The operand a kiln.attention_grad differentiates.
def Kiln_AttentionOperand : I32EnumAttr<"AttentionOperand",
    "an operand of attention", [
    I32EnumAttrCase<"query", 0>, I32EnumAttrCase<"key", 1>,
    I32EnumAttrCase<"value", 2>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}

// kilnc's options (kiln/Emit/Emitters.h): who schedules the kernels, and
// how they compute convolutions.
def Kiln_Schedule : I32EnumAttr<"Schedule", "a kernel schedule", [
    I32EnumAttrCase<"heuristic", 0>, I32EnumAttrCase<"adams2019", 1>,
    I32EnumAttrCase<"mullapudi2016", 2>, I32EnumAttrCase<"li2018", 3>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}

def Kiln_ConvAlgorithm : I32EnumAttr<"ConvAlgorithm",
    "how kernels compute convolutions", [
    I32EnumAttrCase<"automatic", 0, "auto">, I32EnumAttrCase<"direct", 1>,
    I32EnumAttrCase<"winograd", 2>]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}

#endif // KILN_ENUMS
