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

def Kiln_PointwiseOpInterface : OpInterface<"PointwiseOpInterface"> {
  let description = [{
    An elementwise op whose result element is a formula of its operands'
    elements at the same index (under NumPy broadcasting). The op states
    the formula once, as `formula` in its ODS definition (see
    kiln/Dialect/Formula.h); this interface gives it two meanings, so the
    Halide emitter and the interpreter each have one branch for every such
    op.
  }];
  let cppNamespace = "::kiln";
  let methods = [
    InterfaceMethod<[{
        The exact result for operand elements `x` (one per operand).
      }],
      "double", "evaluate", (ins "::llvm::ArrayRef<double>":$x), [{}], [{
        return ::kiln::formula::apply<ConcreteOp, double>(x);
      }]>,
    InterfaceMethod<[{
        The C++ source of the Halide Expr for operand sources `x`, in float
        (`f32`) or double.
      }],
      "std::string", "emitHalide",
      (ins "::llvm::ArrayRef<std::string>":$x, "bool":$f32), [{}], [{
        return ::kiln::formula::applyHalide<ConcreteOp>(x, f32);
      }]>
  ];
}

#endif // KILN_INTERFACES
