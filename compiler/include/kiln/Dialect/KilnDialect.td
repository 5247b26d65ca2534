//===- KilnDialect.td - the kiln dialect -------------------*- tablegen -*-===//
//
// The kiln dialect holds a model's graph as the DSL wrote it: tensor ops on
// ranked tensors whose symbolic dimensions (the batch) are `?`, parameters as
// module-level symbols, and, after fusion, the kernels the graph is cut into.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT
#define KILN_DIALECT

include "mlir/IR/OpBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let summary = "Tensor graphs of generative models, from DSL to kernels.";
  let description = [{
    The `kiln` dialect is what the C++ DSL writes (see docs/ir.md) and what
    kilnc's passes transform: shape inference, fusion into kernels and
    memory planning. Each op's semantics is NumPy-like and exact: the
    verifier recomputes every result type from the operands.
  }];
  let cppNamespace = "::kiln";
  let useDefaultAttributePrinterParser = 1;
  // Folded binary ops of constants become kiln.constant.
  let hasConstantMaterializer = 1;
}

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

// What kind of computation an op is (kiln/Dialect/KilnTraits.h).
class Kiln_Trait<string name> : NativeOpTrait<name> {
  let cppNamespace = "::kiln::OpTrait";
}
def Kiln_Elementwise : Kiln_Trait<"Elementwise">;
def Kiln_Cheap : Kiln_Trait<"Cheap">;
def Kiln_Layout : Kiln_Trait<"Layout">;
def Kiln_Contraction : Kiln_Trait<"Contraction">;
def Kiln_Reduction : Kiln_Trait<"Reduction">;

def Kiln_Tensor : RankedTensorOf<[F32, F64]>;
// Token ids and class indices; only the ops that read indices take them.
def Kiln_IndexTensor : RankedTensorOf<[I32]>;

#endif // KILN_DIALECT
