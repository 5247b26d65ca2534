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

def KilnAutodiff : Pass<"kiln-autodiff", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of every train entry point";
  let description = [{
    For each function with `kiln.entry = #kiln<entry train>`, differentiates its first
    result (a scalar loss) with respect to every parameter it reads (role
    "parameter"; only those whose names start with one of the optimizer's
    `params` prefixes, when it has them), walking the ops backwards through their
    DifferentiableOpInterface. Gradients of values used several times are
    summed. Each parameter's gradient ends in a `kiln.gradient` op, or, with
    `return-gradients`, becomes an extra result named `grad:<parameter>`
    (for tests and for users who run their own update).
  }];
  let options = [
    Option<"returnGradients", "return-gradients", "bool", "false",
           "Return gradients as results instead of emitting kiln.gradient">
  ];
  let dependentDialects = ["::kiln::KilnDialect"];
}

def KilnDataParallel : Pass<"kiln-data-parallel", "::mlir::ModuleOp"> {
  let summary = "Splits each train entry point at its gradients";
  let description = [{
    For data-parallel training (kilnc --data-parallel, docs/training.md):
    next to each train entry point F, after autodiff, adds
    `F_gradients` (`kiln.entry = #kiln<entry gradients>`): F's inputs, F's results and
    then one result `grad:<parameter>` per `kiln.gradient`, no update; and
    `F_update` (`kiln.entry = #kiln<entry update>`): one input `grad:<parameter>` per
    gradient, F's `kiln.optimizer`, no result. The runtime reduces the
    gradients across processes between the two calls. The optimizer pass
    names F_update's state after F (`kiln.optimizer_of`), so the split and
    the fused step share the learning rate, step count and moments, and
    checkpoints are the same files. F itself is unchanged.
  }];
  let dependentDialects = ["::kiln::KilnDialect"];
}

def KilnOptimizer : Pass<"kiln-optimizer", "::mlir::ModuleOp"> {
  let summary = "Turns kiln.gradient ops into the optimizer's update";
  let description = [{
    Reads the function's `kiln.optimizer` attribute (docs/ir.md) and, for
    each `kiln.gradient`, appends PyTorch's update for SGD (momentum, L2
    weight decay), Adam (bias-corrected, L2 weight decay) or AdamW (decoupled
    weight decay), ending in `kiln.param_assign` ops. Optimizer state
    (`<param>.momentum_buffer`, `<param>.exp_avg`, `<param>.exp_avg_sq`,
    `<function>.step`) becomes parameters with role "state", zero-initialised;
    `<function>` is the function's `kiln.optimizer_of` when it has one.
  }];
  let dependentDialects = ["::kiln::KilnDialect"];
}

def KilnSequence : Pass<"kiln-sequence", "::mlir::ModuleOp"> {
  let summary = "Builds the entry points of kiln.sequences";
  let description = [{
    For each `{name, entries}` of the module's `kiln.sequences` (docs/ir.md),
    adds a train entry point `name` whose body is the bodies of the train
    entry points `entries` (after the optimizer pass), in order: inputs are
    matched by `kiln.name`, results concatenated, and a `kiln.param_ref` of
    a parameter that an earlier part assigned reads the assigned value;
    only the last `kiln.param_assign` of each parameter remains. CSE then
    shares what the parts compute alike.
  }];
}

def KilnLocalReplicas : Pass<"kiln-local-replicas", "::mlir::ModuleOp"> {
  let summary = "Makes replica ops the identity where one process runs";
  let description = [{
    Only a `gradients` entry point (kiln-data-parallel) runs as one of the
    processes of a data-parallel job. Everywhere else the process is the
    whole job: `kiln.replica_sum` is replaced by its input and
    `kiln.replica_count` by the constant 1, so a single-process step
    computes what it would without them and fuses as it would.
  }];
  let dependentDialects = ["::kiln::KilnDialect"];
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

def KilnDedupeKernels : Pass<"kiln-dedupe-kernels", "::mlir::ModuleOp"> {
  let summary = "Gives kernels that compute the same thing one name";
  let description = [{
    Two kiln.fused kernels with the same inputs (types and symbols), the
    same results and the same ops in the same order (attributes included,
    locations not) are one kernel: the later one takes the earlier one's
    name, so the Halide emitter writes and the build compiles it once. A
    sequence's entry point repeats its parts' kernels, and an infer entry
    point the forward kernels of a train one.
  }];
}

def KilnMemoryPlan : Pass<"kiln-memory-plan", "::mlir::ModuleOp"> {
  let summary = "Places kernel results in a static arena by liveness";
  let description = [{
    Buffers are grouped by the product of their symbolic dimensions (all
    `batch`-sized buffers share one region, static buffers another), so an
    offset computed at build time scales with the symbol's value at run
    time. Within a region, buffers whose lifetimes overlap never overlap in
    memory (first fit, largest first). Results returned by the entry point
    are written straight into the caller's output tensors, and values
    stored into parameters into those parameters' back buffers (swapped in
    by the runtime when the entry point ends, `assign_to`); neither gets
    arena space (`arena = -1`).
  }];
}

#endif // KILN_PASSES
