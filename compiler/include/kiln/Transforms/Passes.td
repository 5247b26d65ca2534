//===- Passes.td - kiln passes -----------------------------*- tablegen -*-===//

#ifndef KILN_PASSES
#define KILN_PASSES

include "mlir/Pass/PassBase.td"

def KilnShapeCheck : Pass<"kiln-shape-check", "::mlir::ModuleOp"> {
  let summary = "Checks that symbolic dimensions agree across every op";
  let description = [{
    The verifier checks static sizes. This pass names every `?` dimension
    with the symbol it comes from (an entry point argument's `kiln.symbols`)
    and reports ops that mix two different symbols, e.g. adding a
    [batch, 8] tensor to a [seq, 8] one. The error is located at the op,
    which carries the model's file:line.
  }];
}

def KilnFuse : Pass<"kiln-fuse", "::mlir::ModuleOp"> {
  let summary = "Partitions each entry point into kiln.fused kernels";
  let description = [{
    Contractions and reductions anchor a kernel; pointwise ops that consume
    a kernel's only output join it as an epilogue when they keep its shape;
    other pointwise and layout ops form pointwise kernels, which absorb
    their pointwise consumers and may feed a reduction as its prologue.
    Scalar constants are copied into the kernels that use them. Kernel
    names are `kiln_<model>_<entry>_k<N>`.
  }];
  let dependentDialects = ["::kiln::KilnDialect"];
}

def KilnMemoryPlan : Pass<"kiln-memory-plan", "::mlir::ModuleOp"> {
  let summary = "Places kernel results in a static arena by liveness";
  let description = [{
    Buffers are grouped by the product of their symbolic dimensions (all
    `batch`-sized buffers share one region, static buffers another), so an
    offset computed at build time scales with the symbol's value at run
    time. Within a region, buffers whose lifetimes overlap never overlap in
    memory (first fit, largest first). Results returned by the entry point
    are written straight into the caller's output tensors and get no arena
    space (`arena = -1`).
  }];
}

#endif // KILN_PASSES
