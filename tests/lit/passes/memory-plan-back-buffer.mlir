// Values stored into parameters go to the parameters' back buffers (swapped
// in by the runtime when the entry point ends), not to the arena.
// RUN: kiln-opt %inputs/small_train.mlir -kiln-autodiff -kiln-optimizer -canonicalize -cse -kiln-fuse -kiln-memory-plan | FileCheck %s
// RUN: kilnc %inputs/small_train.mlir --emit=plan | FileCheck %s --check-prefix=PLAN

// One kernel per parameter computes all three.
// CHECK-DAG: assign_to = ["l.weight.exp_avg", "l.weight.exp_avg_sq", "l.weight"]
// CHECK-DAG: assign_to = ["train_step.step", "", ""]
// PLAN-LABEL: void run_train_step(
// PLAN: BufferView b{{[0-9]+}}(s.back_buffer(1).data(), std::array<int64_t, 2>{3, 4});
// PLAN: s.swap_back_buffer(0);
