// kilnc on malformed or ill-typed input: a located diagnostic and a
// non-zero exit, never a crash.
// RUN: not kilnc %inputs/malformed.mlir 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not kilnc %inputs/ill_typed.mlir 2>&1 | FileCheck %s --check-prefix=TYPE
// RUN: not kilnc %inputs/small_mlp.mlir --expect-model=vae 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not kilnc %inputs/small_mlp.mlir --schedule=fast 2>&1 | FileCheck %s --check-prefix=SCHED
// RUN: not kilnc %t.does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=MISSING

// SYNTAX: malformed.mlir:4:{{[0-9]+}}: error:
// TYPE: models/bad.cpp:7:3: error: contracted dimensions differ: 'tensor<?x4xf32>' and 'tensor<8x5xf32>' (transposed)
// NAME: defines model 'mlp' but the build expects 'vae'
// SCHED: unknown --schedule=fast
// MISSING: kilnc: cannot open input file
