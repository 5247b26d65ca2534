//===- KilnInterfaces.td - kiln op interfaces --------------*- tablegen -*-===//

#ifndef KILN_INTERFACES
#define KILN_INTERFACES

include "mlir/IR/OpBase.td"

def Kiln_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let description = [{
    An op that states its vector-Jacobian product: given the gradient of the
    loss with respect to its result, it builds ordinary kiln ops computing
    the gradient with respect to each operand. The autodiff pass walks a
    function backwards calling this; the backward graph is plain IR that
    fusion and scheduling treat like the forward one.
  }];
  let cppNamespace = "::kiln";
  let methods = [
    InterfaceMethod<[{
        Appends one gradient per operand to `operandGrads`, each of exactly
        the operand's type, or a null Value where the operand gets none
        (shape-only operands, random numbers).
      }],
      "::llvm::LogicalResult", "buildVjp",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::Value":$resultGrad,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // KILN_INTERFACES
