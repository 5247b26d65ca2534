// An attention's log-sum-exp (what its gradient needs) is computed by the
// kernel of the attention of the same scores, even when it comes later
// in the program (the backward): one kernel, two outputs of different
// shapes, written as two Halide outputs whose loops the schedule fuses.
// A log-sum-exp of other scores (another scale, no causal mask) keeps its
// own kernel, and the attention's consumers do not become an epilogue of
// a kernel with two domains. An attention's key and value gradients of one shape
// are one kernel with a Tuple of both (GradKeyValue); of two shapes (head
// sizes D != Dv), and the query gradient, kernels of their own.
// RUN: kiln-opt %s -kiln-fuse | FileCheck %s
// RUN: kilnc %s --emit=kernels | FileCheck %s --check-prefix=EMIT

module attributes {kiln.model = "al"} {
  func.func @step(%q: tensor<?x2x11x4xf32> {kiln.name = "q", kiln.symbols = ["batch", "", "", ""]}, %k: tensor<?x2x11x4xf32> {kiln.name = "k", kiln.symbols = ["batch", "", "", ""]}, %v: tensor<?x2x11x4xf32> {kiln.name = "v", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x2x11x4xf32> {kiln.name = "y"}, tensor<?x2x11xf32> {kiln.name = "l"}, tensor<?x2x11xf32> {kiln.name = "l2"}, tensor<?x2x11xf32> {kiln.name = "l3"}) attributes {kiln.entry = #kiln<entry infer>} {
    %o = "kiln.attention"(%q, %k, %v) {scale = 0.5 : f64, causal = true} : (tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>) -> tensor<?x2x11x4xf32>
    %y = "kiln.tanh"(%o) : (tensor<?x2x11x4xf32>) -> tensor<?x2x11x4xf32>
    %l = "kiln.attention_lse"(%q, %k) {scale = 0.5 : f64, causal = true} : (tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>) -> tensor<?x2x11xf32>
    %l2 = "kiln.attention_lse"(%q, %k) {scale = 0.25 : f64, causal = true} : (tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>) -> tensor<?x2x11xf32>
    %l3 = "kiln.attention_lse"(%q, %k) {scale = 0.5 : f64} : (tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>) -> tensor<?x2x11xf32>
    func.return %y, %l, %l2, %l3 : tensor<?x2x11x4xf32>, tensor<?x2x11xf32>, tensor<?x2x11xf32>, tensor<?x2x11xf32>
  }

  func.func @grads(%q: tensor<?x2x11x4xf32> {kiln.name = "q", kiln.symbols = ["batch", "", "", ""]}, %k: tensor<?x2x11x4xf32> {kiln.name = "k", kiln.symbols = ["batch", "", "", ""]}, %v: tensor<?x2x11x4xf32> {kiln.name = "v", kiln.symbols = ["batch", "", "", ""]}, %w: tensor<?x2x11x6xf32> {kiln.name = "w", kiln.symbols = ["batch", "", "", ""]}, %g: tensor<?x2x11x4xf32> {kiln.name = "g", kiln.symbols = ["batch", "", "", ""]}, %g6: tensor<?x2x11x6xf32> {kiln.name = "g6", kiln.symbols = ["batch", "", "", ""]}, %l: tensor<?x2x11xf32> {kiln.name = "l", kiln.symbols = ["batch", "", ""]}, %d: tensor<?x2x11xf32> {kiln.name = "d", kiln.symbols = ["batch", "", ""]}) -> (tensor<?x2x11x4xf32> {kiln.name = "dq"}, tensor<?x2x11x4xf32> {kiln.name = "dk"}, tensor<?x2x11x4xf32> {kiln.name = "dv"}, tensor<?x2x11x4xf32> {kiln.name = "dk6"}, tensor<?x2x11x6xf32> {kiln.name = "dv6"}) attributes {kiln.entry = #kiln<entry infer>} {
    %dq = "kiln.attention_grad"(%q, %k, %v, %g, %l, %d) {scale = 0.5 : f64, causal = true, wrt = #kiln<operand query>} : (tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11xf32>, tensor<?x2x11xf32>) -> tensor<?x2x11x4xf32>
    %dk = "kiln.attention_grad"(%q, %k, %v, %g, %l, %d) {scale = 0.5 : f64, causal = true, wrt = #kiln<operand key>} : (tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11xf32>, tensor<?x2x11xf32>) -> tensor<?x2x11x4xf32>
    %dk6 = "kiln.attention_grad"(%q, %k, %w, %g6, %l, %d) {scale = 0.5 : f64, wrt = #kiln<operand key>} : (tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x6xf32>, tensor<?x2x11x6xf32>, tensor<?x2x11xf32>, tensor<?x2x11xf32>) -> tensor<?x2x11x4xf32>
    %dv = "kiln.attention_grad"(%q, %k, %v, %g, %l, %d) {scale = 0.5 : f64, causal = true, wrt = #kiln<operand value>} : (tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11xf32>, tensor<?x2x11xf32>) -> tensor<?x2x11x4xf32>
    %dv6 = "kiln.attention_grad"(%q, %k, %w, %g6, %l, %d) {scale = 0.5 : f64, wrt = #kiln<operand value>} : (tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x6xf32>, tensor<?x2x11x6xf32>, tensor<?x2x11xf32>, tensor<?x2x11xf32>) -> tensor<?x2x11x6xf32>
    func.return %dq, %dk, %dv, %dk6, %dv6 : tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>, tensor<?x2x11x6xf32>
  }
}

// CHECK-LABEL: func.func @step
// CHECK: kiln.fused "kiln_al_step_k0" {{.*}} -> (tensor<?x2x11x4xf32>, tensor<?x2x11xf32>)
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.attention {{.*}}scale = 5.000000e-01
// CHECK-NEXT: kiln.attention_lse {{.*}}scale = 5.000000e-01
// CHECK-NEXT: kiln.yield
// CHECK: kiln.fused "kiln_al_step_k1"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.tanh
// CHECK-NEXT: kiln.yield
// CHECK: kiln.fused "kiln_al_step_k2"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.attention_lse {{.*}}scale = 2.500000e-01
// CHECK-NEXT: kiln.yield
// CHECK: kiln.fused "kiln_al_step_k3"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.attention_lse %{{[a-z0-9]+}}, %{{[a-z0-9]+}} {scale = 5.000000e-01 : f64}
// CHECK-NEXT: kiln.yield

// CHECK-LABEL: func.func @grads
// CHECK: kiln.fused "kiln_al_grads_k0"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.attention_grad {{.*}}wrt = #kiln<operand query>
// CHECK-NEXT: kiln.yield
// CHECK: kiln.fused "kiln_al_grads_k1" {{.*}} -> (tensor<?x2x11x4xf32>, tensor<?x2x11x4xf32>)
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.attention_grad {{.*}}wrt = #kiln<operand key>
// CHECK-NEXT: kiln.attention_grad {{.*}}wrt = #kiln<operand value>
// CHECK-NEXT: kiln.yield
// CHECK: kiln.fused "kiln_al_grads_k2"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.attention_grad {{.*}}wrt = #kiln<operand key>
// CHECK-NEXT: kiln.yield
// CHECK: kiln.fused "kiln_al_grads_k3"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.attention_grad {{.*}}wrt = #kiln<operand value>
// CHECK-NEXT: kiln.yield

// EMIT-LABEL: // kiln_al_step_k0: attention {{.*}} attention_lse
// EMIT: Output<Buffer<float>> out0{"out0", 4}; // [batch, 2, 11, 4]
// EMIT: Output<Buffer<float>> out1{"out1", 3}; // [batch, 2, 11]
// EMIT: att0 = kiln::halide::attention(kiln::halide::AttentionPart::Output,
// EMIT: = kiln::halide::attention_log_sum_exp(att0, get_target())(d0, d1, d2);
// EMIT: out0(d0, d1, d2, d3) =
// EMIT: out1(d1, d2, d3) =
// EMIT: kiln::halide::constrain_shape(out1, {11, 2, kiln::halide::kDynamic});
// EMIT: kiln::halide::set_estimates(out1, {11, 2, kiln::halide::kSymbolEstimate});
// EMIT: kiln::halide::schedule_attention(att0, out0, {d0, d1, d2, d3}, get_target(), out1);
// EMIT-LABEL: // kiln_al_step_k2: attention_lse
// EMIT: kiln::halide::AttentionPart::LogSumExp
// EMIT: kiln::halide::schedule_attention(att{{[0-9]+}}, out0, {d0, d1, d2}, get_target());
// EMIT-LABEL: // kiln_al_grads_k1: attention_grad {{.*}} attention_grad
// EMIT: Output<Buffer<>> out0{"out0", {Float(32), Float(32)}, 4};
// EMIT: att{{[0-9]+}} = kiln::halide::attention(kiln::halide::AttentionPart::GradKeyValue,
// EMIT: = att{{[0-9]+}}.result(d0, d1, d2, d3)[0];
// EMIT: = att{{[0-9]+}}.result(d0, d1, d2, d3)[1];
// EMIT: out0(d0, d1, d2, d3) = Tuple(
// EMIT: kiln::halide::schedule_attention(att{{[0-9]+}}, out0, {d0, d1, d2, d3}, get_target());
// EMIT-LABEL: // kiln_al_grads_k2: attention_grad
// EMIT: kiln::halide::AttentionPart::GradKey,
// EMIT-LABEL: // kiln_al_grads_k3: attention_grad
// EMIT: kiln::halide::AttentionPart::GradValue,
