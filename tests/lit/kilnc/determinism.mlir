// kilnc is deterministic: two runs give byte-identical files.
// RUN: rm -rf %t.a %t.b
// RUN: kilnc %inputs/small_mlp.mlir --emit=all --output-dir %t.a
// RUN: kilnc %inputs/small_mlp.mlir --emit=all --output-dir %t.b
// RUN: diff -r %t.a %t.b
// RUN: ls %t.a | FileCheck %s
// CHECK: mlp.h
// CHECK: mlp.kernels.cpp
// CHECK: mlp.manifest.json
// CHECK: mlp.opt.mlir
// CHECK: mlp.plan.cpp
