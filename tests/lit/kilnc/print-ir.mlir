// --print-ir-after-all shows every stage of the pipeline.
// RUN: kilnc %inputs/small_mlp.mlir --emit=mlir --print-ir-after-all -o /dev/null 2>&1 | FileCheck %s
// CHECK: IR Dump After KilnShapeCheck
// CHECK: IR Dump After Canonicalizer
// CHECK: IR Dump After CSE
// CHECK: IR Dump After KilnFuse
// CHECK: IR Dump After KilnMemoryPlan
