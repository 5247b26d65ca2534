//===- KilnOps.td - kiln dialect ops -----------------------*- tablegen -*-===//

#ifndef KILN_OPS
#define KILN_OPS

include "kiln/Dialect/KilnDialect.td"
include "kiln/Dialect/KilnAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "kiln/Dialect/KilnInterfaces.td"

//===----------------------------------------------------------------------===//
// Parameters and constants
//===----------------------------------------------------------------------===//

def Kiln_ParameterOp : Kiln_Op<"parameter", [Symbol]> {
  let summary = "a trainable parameter of the model, with its initialiser";
  let description = [{
    Declares one named parameter at module level. Entry points read it with
    `kiln.param_ref`. `init` is one of zeros, ones, constant, uniform and
    normal; `init_args` holds its arguments (see docs/ir.md). `role` is
    `parameter` (trained; the default), `state` (optimizer state and
    running statistics: checkpointed but never differentiated) or `buffer`
    (neither trained nor checkpointed, set by the runtime or written by
    `kiln.write_slice`).

    Example:
    ```mlir
    kiln.parameter @"decoder.0.bias" : tensor<256xf32>
        init uniform [-0.1767767, 0.1767767]
    kiln.parameter @"train_step.step" : tensor<f32> init zeros []
        {role = #kiln<role state>}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<Kiln_Tensor>:$type,
                       Kiln_InitKindAttr:$init, DenseF64ArrayAttr:$init_args,
                       DefaultValuedAttr<Kiln_ParamRoleAttr,
                                         "::kiln::ParamRole::parameter">:$role);
  let assemblyFormat = [{
    $sym_name `:` $type `init` `` $init $init_args attr-dict
  }];
  let hasVerifier = 1;
}

def Kiln_ParamRefOp : Kiln_Op<"param_ref",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "reads a parameter declared by kiln.parameter";
  let description = [{
    Example:
    ```mlir
    %w = kiln.param_ref @"decoder.0.weight" : tensor<256x32xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def Kiln_ConstantOp : Kiln_Op<"constant", [Pure, ConstantLike,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "a constant tensor (usually a scalar that broadcasts)";
  let description = [{
    Example:
    ```mlir
    %half = kiln.constant dense<5.000000e-01> : tensor<f32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contraction
//===----------------------------------------------------------------------===//

def Kiln_MatmulOp : Kiln_Op<"matmul", [Pure, Kiln_Contraction, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "matrix product, batched, optionally of transposed operands";
  let description = [{
    `result[..., M, N] = op(a)[..., M, K] * op(b)[..., K, N]` where `op(a)`
    is `a` or, with `transpose_a`, `a` stored as [..., K, M]; likewise `b`
    ([..., N, K] with `transpose_b`, the layout of a Linear layer's weight).
    Dimensions before the last two are batch dimensions: one product per
    batch index, under NumPy broadcasting (either operand may be 2-D, or
    have a batch dimension of 1).

    Example:
    ```mlir
    %y = kiln.matmul %x, %w {transpose_b = true}
        : (tensor<?x32xf32>, tensor<256x32xf32>) -> tensor<?x256xf32>
    // Attention scores: q k^T per batch element and head.
    %s = kiln.matmul %q, %k {transpose_b = true}
        : (tensor<?x4x128x32xf32>, tensor<?x4x128x32xf32>) -> tensor<?x4x128x128xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$a, Kiln_Tensor:$b,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_a,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_b);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $a `,` $b attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

class Kiln_AttentionBase<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat([Pure, Kiln_Contraction,
                                     InferTypeOpAdaptor], traits)> {
  code commonDescription = [{
    Attention per batch index (every dimension before the last two; `q`,
    `k`, `v` share them): `q` is [..., S, D], `k` [..., K, D], `v`
    [..., K, Dv], with D and Dv static. The scores are
    `scale * q k^T` [..., S, K]; `causal` masks key j > query s (keys and
    queries numbered from 0 alike); the optional `mask` [..., K] masks key
    j where it is non-zero, its batch dimensions equal to q's or 1
    (broadcast; a padding mask [N, 1, K] over heads). A masked score is
    -1e30, as `causal_mask` fills it, so a row whose keys are all masked
    averages every value. Its kernel computes the scores a tile of rows
    at a time and never stores them whole (compiler/halide/include/kiln/
    halide/attention.h).
  }];
}

def Kiln_AttentionOp : Kiln_AttentionBase<"attention",
    [DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "fused scaled dot-product attention: softmax(scale q k^T + mask) v";
  let description = commonDescription # [{
    The result is [..., S, Dv]. Its gradient is `kiln.attention_lse`, a
    row sum of `dO * O` and three `kiln.attention_grad` ops (flash
    attention's backward: each recomputes the scores it needs).

    Example:
    ```mlir
    %o = kiln.attention %q, %k, %v {scale = 0.17677669529663687 : f64, causal = true}
        : (tensor<?x4x128x32xf32>, tensor<?x4x128x32xf32>, tensor<?x4x128x32xf32>)
        -> tensor<?x4x128x32xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$q, Kiln_Tensor:$k, Kiln_Tensor:$v,
                       Optional<Kiln_Tensor>:$mask, F64Attr:$scale,
                       DefaultValuedAttr<BoolAttr, "false">:$causal);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`mask` $mask^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_AttentionLseOp : Kiln_AttentionBase<"attention_lse"> {
  let summary = "the row-wise log-sum-exp of attention's masked scores";
  let description = commonDescription # [{
    `result[..., s] = log(sum_j exp(scores[..., s, j]))` (masked scores
    included as -1e30), [..., S]: what attention's gradients need to
    recompute the softmax of any tile of scores. Made by attention's
    gradient, not by the DSL. Next to the `kiln.attention` of the same
    scores (`isStatisticOf`), kiln-fuse computes both in one kernel: the
    forward's row statistics are this result's.
  }];
  let arguments = (ins Kiln_Tensor:$q, Kiln_Tensor:$k,
                       Optional<Kiln_Tensor>:$mask, F64Attr:$scale,
                       DefaultValuedAttr<BoolAttr, "false">:$causal);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $q `,` $k (`mask` $mask^)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Whether `att` computes the same scores (q, k, mask, scale, causal):
    /// this is the log-sum-exp of its softmax's rows.
    bool isStatisticOf(AttentionOp att);
  }];
}

def Kiln_AttentionGradOp : Kiln_AttentionBase<"attention_grad"> {
  let summary = "one gradient of attention (query, key or value)";
  let description = commonDescription # [{
    With `grad` = dO [..., S, Dv] the gradient of attention's result, `lse`
    [..., S] from `kiln.attention_lse`, `delta` [..., S] = rowsum(dO * O),
    P = exp(scores - lse) (1 / K in a row whose keys are all masked) and
    dS = P * (dO v^T - delta) (0 at masked scores, which are constants):
    `wrt = #kiln<operand query>` gives dq = scale dS k [..., S, D]; `key`
    dk = scale dS^T q [..., K, D]; `value` dv = P^T dO [..., K, Dv] (which
    does not read `delta`). Made by attention's gradient, not by the DSL.
    The key and value gradients of one attention, where D = Dv, share one
    kernel (`pairsWith`).
  }];
  let arguments = (ins Kiln_Tensor:$q, Kiln_Tensor:$k, Kiln_Tensor:$v,
                       Kiln_Tensor:$grad, Kiln_Tensor:$lse,
                       Kiln_Tensor:$delta, Optional<Kiln_Tensor>:$mask,
                       F64Attr:$scale,
                       DefaultValuedAttr<BoolAttr, "false">:$causal,
                       Kiln_AttentionOperandAttr:$wrt);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $q `,` $k `,` $v `,` $grad `,` $lse `,` $delta (`mask` $mask^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Whether `other` is the key gradient to this value gradient (or the
    /// reverse) of the same attention, with the same result type: one
    /// pass over the tiles of P and dS gives both, and kiln-fuse puts the
    /// two in one kernel.
    bool pairsWith(AttentionGradOp other);
  }];
}

//===----------------------------------------------------------------------===//
// Convolutions (NCHW)
//===----------------------------------------------------------------------===//

def Kiln_Conv2dOp : Kiln_Op<"conv2d", [Pure, Kiln_Contraction, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "2-D convolution (cross-correlation, as PyTorch's conv2d), "
                "NCHW, zero padding";
  let description = [{
    `result[n, o, i, j] = sum_{c, kh, kw} input[n, c, i*sh - ph + kh,
    j*sw - pw + kw] * weight[o, c, kh, kw]`, reading zero outside the input.
    `input` is `[N, C, H, W]` (N may be symbolic; C, H, W static), `weight`
    `[O, C, KH, KW]` (static); `stride` and `padding` are `(h, w)` pairs.
    The result is `[N, O, (H + 2ph - KH) / sh + 1, (W + 2pw - KW) / sw + 1]`
    (integer division, as PyTorch). No bias: add one with `kiln.add` of a
    `[O, 1, 1]` tensor, which fusion folds into the convolution's kernel.

    Example:
    ```mlir
    %y = kiln.conv2d %x, %w {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
        : (tensor<?x1x28x28xf32>, tensor<64x1x4x4xf32>) -> tensor<?x64x14x14xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_Tensor:$weight,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_ConvTranspose2dOp : Kiln_Op<"conv_transpose2d", [Pure, Kiln_Contraction,
    InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "2-D transposed convolution (PyTorch's conv_transpose2d), NCHW";
  let description = [{
    The adjoint of `kiln.conv2d` with respect to its input: each input
    element scatters `input[n, c, h, v] * weight[c, o, kh, kw]` to
    `result[n, o, h*sh - ph + kh, v*sw - pw + kw]` where that lies inside the
    result. `input` is `[N, C, H, W]` (N may be symbolic), `weight`
    `[C, O, KH, KW]` (PyTorch's layout for this op); the result is
    `[N, O, (H - 1) sh - 2ph + KH + oph, (W - 1) sw - 2pw + KW + opw]`.
    `output_padding` (`oph`, `opw`; default 0, each below its stride, as
    PyTorch's) adds rows and columns at the bottom and right; the gradient
    of a `kiln.conv2d` whose padded input is not a whole number of strides
    uses it to get back the input's size.

    Example:
    ```mlir
    %y = kiln.conv_transpose2d %x, %w {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
        : (tensor<?x128x7x7xf32>, tensor<128x64x4x4xf32>) -> tensor<?x64x14x14xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_Tensor:$weight,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$output_padding);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_Conv2dWeightGradOp : Kiln_Op<"conv2d_weight_grad", [Pure, Kiln_Contraction,
    InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "the gradient of kiln.conv2d with respect to its weight "
                "(internal)";
  let description = [{
    Written by autodiff, not by the DSL. For the `input` `[N, C, H, W]` of a
    `kiln.conv2d` and the gradient `grad` `[N, O, OH, OW]` of its result:
    `result[o, c, kh, kw] = sum_{n, i, j} grad[n, o, i, j] *
    input[n, c, i*sh - ph + kh, j*sw - pw + kw]` (zero outside the input), a
    correlation that contracts the batch. `kernel_size` is `(KH, KW)`, which
    the shapes alone do not determine when a stride exceeds 1; `OH` and `OW`
    must be the conv2d's output size for it. The result is `[O, C, KH, KW]`.
    Also the weight gradient of `kiln.conv_transpose2d`, with the roles of
    the two operands swapped.

    Example:
    ```mlir
    %dw = kiln.conv2d_weight_grad %x, %dy {kernel_size = array<i64: 4, 4>,
        padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
        : (tensor<?x1x28x28xf32>, tensor<?x64x14x14xf32>) -> tensor<64x1x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_Tensor:$grad,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$kernel_size);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $grad attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// A pointwise op states its formula once: `formula` (over an algebra T,
// kiln/Dialect/Formula.h) is its Halide code and its exact value in the
// interpreter; `vjp` builds its gradient as kiln ops. An empty `vjpBody`
// means the op defines buildVjp in KilnVjp.cpp instead.

class Kiln_BinaryOp<string mnemonic, string what, string formulaExpr,
                    code vjpBody, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat([Pure, InferTypeOpAdaptor,
    Kiln_Elementwise, Kiln_PointwiseOpInterface,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>], traits)> {
  let summary = "elementwise " # what # " with NumPy broadcasting";
  let description = [{
    `result = }] # formulaExpr # [{` for each element, where `a` and `b`
    are the operands' elements. Shapes are aligned at the trailing
    dimension; a size-1 or missing dimension stretches. Both operands have
    the same element type.

    Gradient (`g` is the result's gradient, `y` the result), summed back
    over broadcast dimensions:
    ```c++
    }] # !if(!empty(vjpBody), "(written in KilnVjp.cpp)", vjpBody) # [{
    ```

    Example:
    ```mlir
    %z = kiln.}] # mnemonic # [{ %x, %y
        : (tensor<?x256xf32>, tensor<256xf32>) -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  // Of two constants: a constant; x * 1 and x / 1: x (a BatchNorm's
  // statistics in one process, kiln-local-replicas).
  let hasFolder = 1;
  let extraClassDeclaration = [{
    template <typename T> static T formula(T a, T b) {
      KILN_FORMULA_FUNCTIONS;
      return }] # formulaExpr # [{;
    }
  }] # !if(!empty(vjpBody), "", [{
    static std::array<::kiln::formula::IrValue, 2> vjp(
        ::kiln::formula::IrValue g, ::kiln::formula::IrValue a,
        ::kiln::formula::IrValue b, ::kiln::formula::IrValue y) {
      KILN_FORMULA_FUNCTIONS;
      }] # vjpBody # [{
    }
  }]);
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> loc, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &results) {
      return ::kiln::inferBroadcast(loc, adaptor.getOperands(), results);
    }
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      if (auto same = ::kiln::foldUnitOperand(*this, adaptor.getLhs(),
                                              adaptor.getRhs()))
        return same;
      return ::kiln::foldSplats(getType(), adaptor.getLhs(), adaptor.getRhs(),
                                [](double a, double b) { return formula(a, b); });
    }
  }] # !if(!empty(vjpBody), "", [{
    ::llvm::LogicalResult $cppClass::buildVjp(::mlir::OpBuilder &builder,
        ::mlir::Value g, ::llvm::SmallVectorImpl<::mlir::Value> &grads) {
      return ::kiln::formula::buildVjp(*this, builder, g, grads);
    }
  }]);
}

def Kiln_AddOp : Kiln_BinaryOp<"add", "sum", "a + b",
    [{ return {g, g}; }], [Kiln_Cheap]>;
def Kiln_SubOp : Kiln_BinaryOp<"sub", "difference", "a - b",
    [{ return {g, -g}; }], [Kiln_Cheap]>;
def Kiln_MulOp : Kiln_BinaryOp<"mul", "product", "a * b",
    [{ return {g * b, g * a}; }], [Kiln_Cheap]>;
def Kiln_DivOp : Kiln_BinaryOp<"div", "quotient", "a / b",
    [{ return {g / b, -((g * y) / b)}; }]> {
  // div(broadcast_to(x, like), s) with a scalar s divides before stretching.
  let hasCanonicalizer = 1;
}
// max's gradient recognises a leaky ReLU (KilnVjp.cpp).
def Kiln_MaxOp : Kiln_BinaryOp<"max", "maximum", "max(a, b)", "",
    [Kiln_Cheap]>;
def Kiln_MinOp : Kiln_BinaryOp<"min", "minimum", "min(a, b)", [{
      IrValue ga = g * step(b - a);
      return {ga, g - ga};
    }], [Kiln_Cheap]>;

// Comparisons give 1 where they hold and 0 elsewhere, in the operands'
// element type; they have no gradient.
class Kiln_CompareOp<string mnemonic, string what>
    : Kiln_BinaryOp<mnemonic, "comparison " # what # " (1 or 0)",
                    mnemonic # "(a, b)", [{ return {}; }], [Kiln_Cheap]>;
def Kiln_GreaterOp : Kiln_CompareOp<"greater", "a > b">;
def Kiln_GreaterEqualOp : Kiln_CompareOp<"greater_equal", "a >= b">;
def Kiln_LessOp : Kiln_CompareOp<"less", "a < b">;
def Kiln_LessEqualOp : Kiln_CompareOp<"less_equal", "a <= b">;
def Kiln_EqualOp : Kiln_CompareOp<"equal", "a == b">;
def Kiln_NotEqualOp : Kiln_CompareOp<"not_equal", "a != b">;

class Kiln_UnaryOp<string mnemonic, string what, string formulaExpr,
                   code vjpBody, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType,
    Kiln_Elementwise, Kiln_PointwiseOpInterface,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>], traits)> {
  let summary = "elementwise " # what;
  let description = [{
    `result = }] # formulaExpr # [{` for each element `x`.

    Gradient (`g` is the result's gradient, `y` the result):
    ```c++
    }] # vjpBody # [{
    ```

    Example:
    ```mlir
    %y = kiln.}] # mnemonic # [{ %x : tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let extraClassDeclaration = [{
    template <typename T> static T formula(T x) {
      KILN_FORMULA_FUNCTIONS;
      return }] # formulaExpr # [{;
    }
    static ::kiln::formula::IrValue vjp(::kiln::formula::IrValue g,
        ::kiln::formula::IrValue x, ::kiln::formula::IrValue y) {
      KILN_FORMULA_FUNCTIONS;
      }] # vjpBody # [{
    }
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::buildVjp(::mlir::OpBuilder &builder,
        ::mlir::Value g, ::llvm::SmallVectorImpl<::mlir::Value> &grads) {
      return ::kiln::formula::buildVjp(*this, builder, g, grads);
    }
  }];
}

def Kiln_NegOp : Kiln_UnaryOp<"neg", "negation", "-x",
    [{ return -g; }], [Kiln_Cheap]>;
// step(relu(x)) == step(x): reading the result, which the next layer keeps
// anyway, frees x once the forward pass is done.
def Kiln_ReluOp : Kiln_UnaryOp<"relu", "rectifier", "max(x, 0.0)",
    [{ return g * step(y); }], [Kiln_Cheap]>;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", "logistic function",
    "sigmoid(x)", [{ return g * (y * (1.0 - y)); }]>;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", "hyperbolic tangent", "tanh(x)",
    [{ return g * (1.0 - y * y); }]>;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", "exponential", "exp(x)",
    [{ return g * y; }]>;
def Kiln_LogOp : Kiln_UnaryOp<"log", "natural logarithm", "log(x)",
    [{ return g / x; }]>;
// log(1 + e^x) written so that it cannot overflow for large x.
def Kiln_SoftplusOp : Kiln_UnaryOp<"softplus", "softplus, log(1 + exp(x))",
    "max(x, 0.0) + log(1.0 + exp(-abs(x)))",
    [{ return g * sigmoid(x); }]>;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", "square root", "sqrt(x)",
    [{ return g / (2.0 * y); }]>;
def Kiln_AbsOp : Kiln_UnaryOp<"abs", "absolute value", "abs(x)",
    [{ return g * (step(x) - step(-x)); }]>;
def Kiln_StepOp : Kiln_UnaryOp<"step",
    "unit step, 1 where x > 0, else 0 (the derivative of relu)", "step(x)",
    [{ return {}; /* zero almost everywhere */ }], [Kiln_Cheap]>;
def Kiln_SinOp : Kiln_UnaryOp<"sin", "sine", "sin(x)",
    [{ return g * cos(x); }]>;
def Kiln_CosOp : Kiln_UnaryOp<"cos", "cosine", "cos(x)",
    [{ return -(g * sin(x)); }]>;
// SiLU (swish): x sigmoid(x).
def Kiln_SiluOp : Kiln_UnaryOp<"silu", "SiLU, x * sigmoid(x)",
    "x * sigmoid(x)", [{
      IrValue s = sigmoid(x);
      return g * (s * (1.0 + x * (1.0 - s)));
    }]>;
// GELU, tanh approximation (PyTorch's approximate="tanh"), with
// u = sqrt(2/pi) (x + 0.044715 x^3), written as x sigmoid(2u) =
// x / (1 + exp(-2u)), the same function since 0.5 (1 + tanh(u)) =
// sigmoid(2u): one exp and one division where tanh is an exp, a division
// and a polynomial for small u, both computed. It is also accurate for
// large negative x, where 1 + tanh(u) cancels. u takes x clamped to
// [-20, 20], where sigmoid(2u) is already 0 or 1 in float: Halide 14's exp
// converts its exponent to int32 (exp(2e9) is 0, not inf), and the
// gradient's x (1 - s) u' would overflow for huge x; so both stay exact,
// never NaN, for any finite x. On [4096, 512] floats (Zen 5, one core,
// JIT): forward 0.80 -> 0.47 ms, gradient 0.89 -> 0.63.
def Kiln_GeluOp : Kiln_UnaryOp<"gelu", "GELU (tanh approximation)",
    "x / (1.0 + exp(-1.5957691216057308 * max(min(x, 20.0), -20.0) * "
    "(1.0 + 0.044715 * max(min(x, 20.0), -20.0) * max(min(x, 20.0), -20.0))))",
    [{
      // d/dx x s(2u) = s + x s (1 - s) 2u', s = sigmoid(2u); with x
      // clamped (c), s is exactly 1 above and 0 below, which this gives.
      IrValue c = max(min(x, 20.0), -20.0);
      IrValue s =
          1.0 / (1.0 + exp(-1.5957691216057308 * c * (1.0 + 0.044715 * c * c)));
      IrValue du2 = 1.5957691216057308 * (1.0 + 0.134145 * c * c);
      return g * (s * (1.0 + c * ((1.0 - s) * du2)));
    }]>;

def Kiln_SelectOp : Kiln_Op<"select", [Pure, InferTypeOpAdaptor,
    Kiln_Elementwise, Kiln_Cheap, Kiln_PointwiseOpInterface,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "elementwise choice: on_true where cond is non-zero, else "
                "on_false";
  let description = [{
    `result = select(c, a, b)`: `a` where `c != 0`, else `b`, with NumPy
    broadcasting of all three operands (a comparison gives `c`). The
    gradient goes to `a` where `c` holds and to `b` elsewhere; `c` gets
    none.

    Example:
    ```mlir
    %y = kiln.select %mask, %x, %zero
        : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$cond, Kiln_Tensor:$on_true,
                       Kiln_Tensor:$on_false);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $cond `,` $on_true `,` $on_false attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    template <typename T> static T formula(T c, T a, T b) {
      KILN_FORMULA_FUNCTIONS;
      return select(c, a, b);
    }
    static std::array<::kiln::formula::IrValue, 3> vjp(
        ::kiln::formula::IrValue g, ::kiln::formula::IrValue c,
        ::kiln::formula::IrValue, ::kiln::formula::IrValue,
        ::kiln::formula::IrValue) {
      KILN_FORMULA_FUNCTIONS;
      return {IrValue(), select(c, g, 0.0), select(c, 0.0, g)};
    }
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> loc, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &results) {
      return ::kiln::inferBroadcast(loc, adaptor.getOperands(), results);
    }
    ::llvm::LogicalResult $cppClass::buildVjp(::mlir::OpBuilder &builder,
        ::mlir::Value g, ::llvm::SmallVectorImpl<::mlir::Value> &grads) {
      return ::kiln::formula::buildVjp(*this, builder, g, grads);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Reductions and layout
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, string what>
    : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor, Kiln_Reduction,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = what # " over one axis";
  let description = [{
    Removes `axis` (or keeps it with size 1 when `keepdim`).

    Example:
    ```mlir
    %s = kiln.}] # mnemonic # [{ %x {axis = 1 : i64}
        : (tensor<?x784xf32>) -> tensor<?xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
}

// A sum or mean of neg(x) negates the sum or mean of x instead.
def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "sum"> {
  let hasCanonicalizer = 1;
}
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "mean"> {
  let hasCanonicalizer = 1;
}
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "maximum"> {
  let description = [{
    Removes `axis` (or keeps it with size 1 when `keepdim`). Its gradient
    goes to the elements equal to the maximum; where several tie, it is
    split evenly between them (PyTorch's `amax`).

    Example:
    ```mlir
    %m = kiln.reduce_max %x {axis = 1 : i64, keepdim = true}
        : (tensor<?x10xf32>) -> tensor<?x1xf32>
    ```
  }];
}

class Kiln_NormalizeBase<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat([Pure, Kiln_Reduction,
                                     InferTypeOpAdaptor], traits)> {
  code commonDescription = [{
    A row is the last axis of `input`, which must be static; every other
    dimension (symbolic ones too) numbers rows. With a row's mean and
    biased variance `var`, `y = (x - mean) / sqrt(var + eps)`, PyTorch's
    `layer_norm` without its scale and shift. One kernel computes the
    result from the input alone: the row's sums next to their use
    (compiler/halide/include/kiln/halide/normalization.h), where the same
    formula as separate ops took four kernels.
  }];
  let hasVerifier = 1;
}

def Kiln_NormalizeOp : Kiln_NormalizeBase<"normalize",
    [DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "normalises each row of the last axis: (x - mean) / sqrt(var + eps)";
  let description = commonDescription # [{
    The result has the input's type. Its gradient is `kiln.normalize_grad`,
    which recomputes the row's statistics instead of storing them.

    Example:
    ```mlir
    %n = kiln.normalize %x {eps = 1.0e-05 : f64} : tensor<?x128x128xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, F64Attr:$eps);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kiln_NormalizeGradOp : Kiln_NormalizeBase<"normalize_grad",
    [AllTypesMatch<["input", "grad"]>]> {
  let summary = "the gradient of kiln.normalize";
  let description = commonDescription # [{
    With `grad` = g the gradient of y (the input's type), the result is
    `dx = (g - mean(g) - y * mean(g * y)) / sqrt(var + eps)`, means over
    each row, y recomputed from x. Made by normalize's gradient, not by the
    DSL.

    Example:
    ```mlir
    %dx = kiln.normalize_grad %x, %g {eps = 1.0e-05 : f64} : tensor<?x128xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_Tensor:$grad, F64Attr:$eps);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input `,` $grad attr-dict `:` type($input)";
}

class Kiln_CrossEntropyBase<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat([Pure, Kiln_Reduction,
                                     InferTypeOpAdaptor], traits)> {
  code commonDescription = [{
    The classes are the last axis of `logits`, which must be static; every
    other dimension (symbolic ones too) numbers rows, and `targets` (i32)
    has exactly those dimensions, one class per row. An index outside
    `[0, C)` stops the kernel with an error naming it. One kernel computes
    the result from the logits alone, the row's maximum and sum of
    exponentials next to their use (compiler/halide/include/kiln/halide/
    cross_entropy.h), where log_softmax and a one-hot product as separate
    ops took five kernels and stored two [rows, C] matrices.
  }];
}

def Kiln_CrossEntropyOp : Kiln_CrossEntropyBase<"cross_entropy",
    [DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "softmax cross-entropy of each row against its target class";
  let description = commonDescription # [{
    `result[row] = log(sum_c exp(logits[row, c])) - logits[row, target]`,
    computed stably (less the row's maximum); PyTorch's
    `cross_entropy(logits, targets, reduction='none')` with the classes
    last. Its gradient is `kiln.cross_entropy_grad`; the targets have none.

    Example:
    ```mlir
    %l = kiln.cross_entropy %logits, %ids
        : (tensor<?x128x256xf32>, tensor<?x128xi32>) -> tensor<?x128xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$logits, Kiln_IndexTensor:$targets);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $logits `,` $targets attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_CrossEntropyGradOp : Kiln_CrossEntropyBase<"cross_entropy_grad"> {
  let summary = "the gradient of kiln.cross_entropy";
  let description = commonDescription # [{
    With `grad` the gradient of each row's loss (the targets' shape), the
    result is `grad[row] * (softmax(logits)[row, c] - (c == target))`, of
    the logits' type. Made by cross_entropy's gradient, not by the DSL.

    Example:
    ```mlir
    %dl = kiln.cross_entropy_grad %logits, %ids, %g
        : (tensor<?x256xf32>, tensor<?xi32>, tensor<?xf32>) -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$logits, Kiln_IndexTensor:$targets,
                       Kiln_Tensor:$grad);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $logits `,` $targets `,` $grad attr-dict `:`
    functional-type(operands, results)
  }];
}

def Kiln_ReshapeOp : Kiln_Op<"reshape", [Pure, Kiln_Layout,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "the same elements, row-major, in another shape";
  let description = [{
    Without symbol attributes a symbolic (`?`) dimension only moves as a
    whole: the operand and the result have the same number of `?`
    dimensions, in the same order, and the static parts have the same
    element count.

    A reshape that merges or splits symbolic dimensions names the symbols of
    both sides (docs/ir.md, "Symbolic dimensions"): `input_symbols` and
    `result_symbols` have one entry per dimension, `""` for a static one,
    else a symbol or a product such as `"128*batch"`. Both sides must have
    the same element count as products of symbols.

    Example:
    ```mlir
    %y = kiln.reshape %x : (tensor<?x7x7xf32>) -> tensor<?x49xf32>
    %rows = kiln.reshape %h {input_symbols = ["batch", "seq", ""],
                             result_symbols = ["batch*seq", ""]}
        : (tensor<?x?x64xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input,
                       OptionalAttr<StrArrayAttr>:$input_symbols,
                       OptionalAttr<StrArrayAttr>:$result_symbols);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ConcatOp : Kiln_Op<"concat", [Pure, Kiln_Layout, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "joins tensors along one static axis";
  let description = [{
    Example:
    ```mlir
    %y = kiln.concat %a, %b {axis = 1 : i64}
        : (tensor<?x3xf32>, tensor<?x5xf32>) -> tensor<?x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_SliceOp : Kiln_Op<"slice", [Pure, Kiln_Layout, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "a contiguous range [start, start + size) of one static axis";
  let description = [{
    Example:
    ```mlir
    %mu = kiln.slice %h {axis = 1 : i64, start = 0 : i64, size = 32 : i64}
        : (tensor<?x64xf32>) -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis, I64Attr:$start,
                       I64Attr:$size);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_TransposeOp : Kiln_Op<"transpose", [Pure, Kiln_Layout, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "swaps the two dimensions of a 2-D tensor";
  let description = [{
    Example:
    ```mlir
    %t = kiln.transpose %w : (tensor<256x32xf32>) -> tensor<32x256xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_PermuteOp : Kiln_Op<"permute", [Pure, Kiln_Layout, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "reorders the dimensions of a tensor";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`:
    `result[i0, ..., in] = input[j]` with `j[permutation[k]] = ik`. The
    gradient is the inverse permutation. A matmul reads a permuted operand
    in place (kiln-fuse makes it the matmul's prologue), so attention heads
    are not copied. A permute that keeps the order of its dimensions other
    than those of static size 1 (a symbolic one counts as any other) moves
    no element: it canonicalizes to a `kiln.reshape` (a decode step's
    `[1, heads, 1, dim]` back to `[1, 1, heads, dim]`), which kiln-fuse
    leaves as a view of its operand when nothing else joins it.

    Example:
    ```mlir
    // [batch, seq, heads, head_dim] -> [batch, heads, seq, head_dim]
    %h = kiln.permute %q {permutation = array<i64: 0, 2, 1, 3>}
        : (tensor<?x128x4x32xf32>) -> tensor<?x4x128x32xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Indices (i32)
//===----------------------------------------------------------------------===//

def Kiln_GatherOp : Kiln_Op<"gather", [Pure, Kiln_Layout, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "picks slices of a table by index (an embedding lookup)";
  let description = [{
    `result` is `table` with its dimension `axis` replaced by the
    dimensions of `indices`: `result[p..., j..., q...] = table[p...,
    indices[j...], q...]` (numpy.take, torch.index_select on a flattened
    index). An index outside `[0, table.shape[axis])` stops a CPU kernel
    with an error naming the index; nothing is read out of bounds. The GPU
    kernels (CUDA, OpenCL) clamp it into the table instead, since Halide 14
    cannot report an error from device code (docs/runtime.md, "Devices").
    The gradient of the table is `kiln.scatter_add`; indices have none.

    Example:
    ```mlir
    // Token embeddings: [256, 64] table, [batch, seq] ids.
    %e = kiln.gather %wte, %ids {axis = 0 : i64}
        : (tensor<256x64xf32>, tensor<?x?xi32>) -> tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$table, Kiln_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $table `,` $indices attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_ScatterAddOp : Kiln_Op<"scatter_add", [Pure, Kiln_Reduction,
    InferTypeOpAdaptor, DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "sums slices into a table by index (gather's gradient)";
  let description = [{
    The adjoint of `kiln.gather`: `values` has, from dimension `axis` on,
    the dimensions of `indices`; the result replaces them by one dimension
    of `size`, and `result[p..., i, q...]` is the sum of
    `values[p..., j..., q...]` over the positions `j` where
    `indices[j...] == i` (0 where there are none). An index outside
    `[0, size)` stops the kernel with an error.

    Example:
    ```mlir
    %dwte = kiln.scatter_add %de, %ids {axis = 0 : i64, size = 256 : i64}
        : (tensor<?x?x64xf32>, tensor<?x?xi32>) -> tensor<256x64xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$values, Kiln_IndexTensor:$indices,
                       I64Attr:$axis, I64Attr:$size);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $values `,` $indices attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_OneHotOp : Kiln_Op<"one_hot", [Pure, Kiln_Layout, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "1 at each index's class, 0 elsewhere";
  let description = [{
    `result[j..., c] = (indices[j...] == c)` for `c` in `[0, classes)`, in
    f32. An index outside `[0, classes)` stops the kernel with an error.

    Example:
    ```mlir
    %y = kiln.one_hot %labels {classes = 10 : i64}
        : (tensor<?xi32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins Kiln_IndexTensor:$indices, I64Attr:$classes);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $indices attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_ToFloatOp : Kiln_Op<"to_float", [Pure, Kiln_Elementwise, Kiln_Cheap,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "integers as floats";
  let description = [{
    Each i32 value as the float of the result type (exact up to 2^24 in
    f32). Indices have no gradient.

    Example:
    ```mlir
    %t = kiln.to_float %steps : (tensor<?xi32>) -> tensor<?xf32>
    ```
  }];
  let arguments = (ins Kiln_IndexTensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_FloorToIntOp : Kiln_Op<"floor_to_int", [Pure, Kiln_Elementwise,
    Kiln_Cheap, DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "floats rounded down to integers";
  let description = [{
    floor(x) of each value as i32 (for values within i32's range): a
    timestep drawn from `floor(u * T)`, u uniform in [0, 1). The result is
    an index, so no gradient flows back (floor's derivative is zero almost
    everywhere).

    Example:
    ```mlir
    %t = kiln.floor_to_int %u : (tensor<?xf32>) -> tensor<?xi32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_IndexTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_BroadcastToOp : Kiln_Op<"broadcast_to", [Pure, Kiln_Elementwise, Kiln_Cheap,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>,
    AllTypesMatch<["like", "result"]>]> {
  let summary = "stretches a tensor to the shape of another";
  let description = [{
    NumPy broadcasting of `input` to the type of `like`, whose values are not
    read. Autodiff uses it for the gradients of reductions.

    Example:
    ```mlir
    %g = kiln.broadcast_to %dy, %x : (tensor<?x1xf32>, tensor<?x784xf32>) -> tensor<?x784xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_Tensor:$like);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $like attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1; // broadcast_to(broadcast_to(x, a), b) -> (x, b)
}

def Kiln_IotaOp : Kiln_Op<"iota", [Pure, Kiln_Elementwise, Kiln_Cheap,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "each element's index along one axis";
  let description = [{
    A float tensor of the shape of `like` (whose values are not read, and
    which may hold integers) whose element is its own index along `axis`:
    masks are computed where they are used instead of stored (a causal
    mask is `iota(s, -1) > iota(s, -2)`). It has no gradient.

    Example:
    ```mlir
    %col = kiln.iota %s {axis = 3 : i64}
        : (tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
    ```
  }];
  let arguments = (ins AnyTypeOf<[Kiln_Tensor, Kiln_IndexTensor]>:$like,
                       I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $like attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_DimSizeOp : Kiln_Op<"dim_size", [Pure, Kiln_Elementwise,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "the size of one dimension, as a scalar";
  let description = [{
    The extent of `axis` of `input` (whose values are not read) as a rank-0
    tensor of its element type: a constant for a static dimension, the
    symbol's value at run time for a symbolic one (the batch size in the
    gradient of a mean over the batch).

    Example:
    ```mlir
    %n = kiln.dim_size %x {axis = 0 : i64} : (tensor<?x784xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  // A static size becomes a constant; the size of an axis that a reduction
  // or a broadcast kept is read from their operand, so that gradients do not
  // keep intermediate values alive only for their shapes.
  let hasCanonicalizer = 1;
}

def Kiln_PadOp : Kiln_Op<"pad", [Pure, Kiln_Layout, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "zeros added before and after one static axis";
  let description = [{
    The gradient of `kiln.slice`.

    Example:
    ```mlir
    %p = kiln.pad %g {axis = 1 : i64, before = 32 : i64, after = 0 : i64}
        : (tensor<?x32xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis, I64Attr:$before,
                       I64Attr:$after);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_RandomNormalOp : Kiln_Op<"random_normal", [Pure, Kiln_Elementwise,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>,
    AllTypesMatch<["like", "result"]>]> {
  let summary = "standard normal samples shaped like a tensor";
  let description = [{
    Samples come from a counter-based generator keyed by the session's seed,
    the entry point call number, `stream` and the element's row-major index:
    the same seed gives the same numbers on any thread count. `stream` is
    unique per op in a module. The values of `like` are not read.

    Example:
    ```mlir
    %eps = kiln.random_normal %mu {stream = 0 : i64} : tensor<?x32xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$like, I64Attr:$stream);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$like attr-dict `:` type($result)";
}

def Kiln_RandomUniformOp : Kiln_Op<"random_uniform", [Pure, Kiln_Elementwise,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>,
    AllTypesMatch<["like", "result"]>]> {
  let summary = "uniform samples in [0, 1) shaped like a tensor";
  let description = [{
    The same counter-based generator as `kiln.random_normal` (seed, call
    number, `stream`, row-major element index): the value is that
    generator's `u2`, the top 24 bits of the element's second word times
    2^-24, so a multiple of 2^-24 in [0, 1). `stream` is unique per op in a
    module. The values of `like` are not read. Dropout masks are
    `step(p_keep - u)`.

    Example:
    ```mlir
    %u = kiln.random_uniform %h {stream = 1 : i64} : tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$like, I64Attr:$stream);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$like attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

def Kiln_GradientOp : Kiln_Op<"gradient",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>,
     MemoryEffects<[MemWrite]>]> {
  let summary = "the gradient of the loss for one parameter is ready";
  let description = [{
    Written by the autodiff pass, consumed by the optimizer pass. This is the
    seam between "gradients ready" and "update", where data-parallel training
    can reduce gradients across processes.

    Example:
    ```mlir
    kiln.gradient @"decoder.0.weight", %g : tensor<256x32xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name, Kiln_Tensor:$grad);
  let assemblyFormat = "$name `,` $grad attr-dict `:` type($grad)";
}

def Kiln_ParamAssignOp : Kiln_Op<"param_assign",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>,
     MemoryEffects<[MemWrite]>]> {
  let summary = "stores a new value into a parameter or optimizer state";
  let description = [{
    Written by the optimizer pass. It takes effect at the end of the entry
    point: every `kiln.param_ref` of the same function reads the old value.

    Example:
    ```mlir
    kiln.param_assign @"decoder.0.weight", %w1 : tensor<256x32xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name, Kiln_Tensor:$value);
  let assemblyFormat = "$name `,` $value attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// Data-parallel replicas
//===----------------------------------------------------------------------===//

def Kiln_ReplicaSumOp : Kiln_Op<"replica_sum", [Pure,
    AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "a value summed over the processes of a data-parallel job";
  let description = [{
    Every process of a data-parallel job computes `input` from its share of
    the batch; the result is the elementwise sum over the processes, the
    same everywhere (synchronised BatchNorm sums its statistics with it).
    Alone, a process is the whole job and the result is `input`:
    `kiln-local-replicas` replaces it by its input in every entry point but
    a `gradients` one. There the plan sums the kernel result in place
    through the runtime (`Session::replica_sum`, an MPI all-reduce under
    `kiln train --data-parallel --sync-batchnorm`, nothing otherwise), so
    the input must be a kernel's result that nothing else reads. Its
    gradient is itself: each process's input reaches every process's
    result. It is Pure although it communicates: every process runs the
    same plan, so CSE or dead-code removal changes every process alike.

    Example:
    ```mlir
    %s = kiln.replica_sum %local : tensor<1x64x1x1xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Kiln_ReplicaCountOp : Kiln_Op<"replica_count", [Pure,
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>]> {
  let summary = "the number of processes a kiln.replica_sum sums over";
  let description = [{
    A rank-0 f32: 1 alone (`kiln-local-replicas` makes it that constant
    outside `gradients` entry points), the job's size when the runtime
    synchronises (`Session::set_replicas`). Every process takes an equal
    share of the batch, so a mean over the job is the replica_sum of the
    processes' means divided by it.

    Example:
    ```mlir
    %n = kiln.replica_count : tensor<f32>
    ```
  }];
  let results = (outs 0DTensorOf<[F32]>:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

def Kiln_WriteSliceOp : Kiln_Op<"write_slice", [Pure]> {
  let summary = "a buffer with one slice replaced, written in place";
  let description = [{
    `buffer` (a `role = "buffer"` parameter's value, or an earlier
    write_slice of it) with `value` written at `[position, position + n)`
    along `axis`, `n` being value's size there (static, or dynamic: the
    keys of a prompt of any length); the other dimensions are equal, and the
    buffer's shape is static. The plan writes the slice into the buffer's storage itself, in
    time proportional to the slice (a decode step appending to a KV cache),
    so the buffer's earlier value must not be read after it. A position
    outside `[0, size - n]` is a run-time error that writes nothing.

    Example:
    ```mlir
    %k1 = kiln.write_slice %k0, %k_new, %pos {axis = 2 : i64}
        : (tensor<1x4x128x32xf32>, tensor<1x4x1x32xf32>, tensor<i32>)
        -> tensor<1x4x128x32xf32>
    "kiln.param_assign"(%k1) {name = @"cache.k"} : (tensor<1x4x128x32xf32>) -> ()
    ```
  }];
  let arguments = (ins Kiln_Tensor:$buffer, Kiln_Tensor:$value,
                       Kiln_IndexTensor:$position, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $buffer `,` $value `,` $position attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_FusedOp : Kiln_Op<"fused", [IsolatedFromAbove,
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "one kernel: a group of ops compiled as one Halide pipeline";
  let description = [{
    Made by the fusion pass. The region's arguments are the kernel's
    inputs (in operand order); `kiln.yield` gives its outputs. `kernel` is
    the kernel's function name in the generated code. After memory
    planning, `arena` and `offset` (one entry per result) place each result
    in the entry point's scratch arena: region `arena[i]` at byte offset
    `offset[i]` times the product of that region's symbols.

    Example:
    ```mlir
    %h = kiln.fused "kiln_mlp_forward_k0" (%x, %w, %b)
        : (tensor<?x32xf32>, tensor<256x32xf32>, tensor<256xf32>)
        -> tensor<?x256xf32> {
    ^bb0(%a: tensor<?x32xf32>, %w: tensor<256x32xf32>, %b: tensor<256xf32>):
      ...
      kiln.yield %r : tensor<?x256xf32>
    }
    ```
  }];
  // kernel: the generated function. arena, offset and assign_to are the
  // memory plan's (kiln-memory-plan), one entry per result, read by the
  // plan emitter: region arena[i] at byte offset offset[i] per unit of its
  // symbols (-1: not in the arena), and the parameter whose back buffer
  // takes result i ("" for none).
  let arguments = (ins Variadic<AnyTypeOf<[Kiln_Tensor, Kiln_IndexTensor]>>:$inputs, StrAttr:$kernel,
                       OptionalAttr<DenseI64ArrayAttr>:$arena,
                       OptionalAttr<DenseI64ArrayAttr>:$offset,
                       OptionalAttr<StrArrayAttr>:$assign_to);
  let results = (outs Variadic<AnyTypeOf<[Kiln_Tensor, Kiln_IndexTensor]>>:$results);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::mlir::TypeRange":$resultTypes,
                   "::mlir::ValueRange":$inputs, "::llvm::StringRef":$kernel)>
  ];
}

def Kiln_YieldOp : Kiln_Op<"yield", [Pure, Terminator, HasParent<"FusedOp">,
    ReturnLike]> {
  let summary = "the outputs of a kiln.fused kernel";
  let description = [{
    Example:
    ```mlir
    kiln.yield %r : tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyTypeOf<[Kiln_Tensor, Kiln_IndexTensor]>>:$values);
  let builders = [OpBuilder<(ins), [{ /* empty yield */ }]>];
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let hasVerifier = 1;
}

#endif // KILN_OPS
