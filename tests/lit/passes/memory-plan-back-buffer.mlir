// Parameter updates are written straight into the parameter when the
// kernel is pointwise and nothing later reads the old value.
// RUN: kiln-opt %inputs/small_train.mlir -kiln-autodiff -kiln-optimizer -canonicalize -cse -kiln-fuse -kiln-memory-plan | FileCheck %s

// One kernel per parameter computes and stores all three, in place.
// CHECK-DAG: assign_to = ["l.weight.exp_avg", "l.weight.exp_avg_sq", "l.weight"]
// CHECK-DAG: assign_to = ["train_step.step", "", ""]
