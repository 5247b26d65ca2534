// A data-parallel gradients call reports each output right after the kernel
// that writes it (the loss after the forward pass, each gradient when the
// backward pass reaches it), so that its reduction across processes starts
// while later kernels run; the fused step and the update report nothing.
// RUN: kilnc %inputs/small_train.mlir --data-parallel --emit=plan | FileCheck %s

// CHECK-LABEL: void run_train_step_update(
// CHECK-NOT: output_ready
// CHECK-LABEL: void run_train_step_gradients(
// CHECK: check_kernel(kiln_reg_train_step_gradients_k3(
// CHECK-NEXT: }
// CHECK-NEXT: s.output_ready(0);
// CHECK: check_kernel(kiln_reg_train_step_gradients_k6(
// CHECK-NEXT: }
// CHECK-NEXT: s.output_ready(2);
// CHECK: check_kernel(kiln_reg_train_step_gradients_k7(
// CHECK-NEXT: }
// CHECK-NEXT: s.output_ready(1);
// CHECK-NEXT: }
// CHECK-LABEL: void run_train_step(
// CHECK-NOT: output_ready
