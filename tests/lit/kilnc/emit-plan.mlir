// The plan: symbols bound from the inputs, the output sized, the arena taken
// once, kernels called in order over views at planned offsets; on a CUDA
// session (KILN_CUDA_KERNELS) the views point at device memory and the
// kernels' CUDA builds run.
// RUN: kilnc %inputs/small_mlp.mlir --emit=plan | FileCheck %s
// RUN: kilnc %inputs/small_mlp.mlir --emit=header | FileCheck %s --check-prefix=HEADER

// CHECK: #include "kiln_mlp_kernels.h"
// CHECK: #ifdef KILN_CUDA_KERNELS
// CHECK-NEXT: #include "kiln_mlp_cuda_kernels.h"
// CHECK: #ifdef KILN_OPENCL_KERNELS
// CHECK-NEXT: #include "kiln_mlp_opencl_kernels.h"
// CHECK-LABEL: void run_forward(
// CHECK: const int64_t sym_batch = in[0]->dim(0);
// CHECK: out[0]->resize(std::vector<int64_t>{sym_batch, 3});
// CHECK-NEXT: s.bind_outputs(out);
// CHECK: char *arena0 = reinterpret_cast<char *>(s.arena(0, size_t(256) * sym_batch));
// CHECK: BufferView b3(reinterpret_cast<float *>(arena0 + size_t(0) * sym_batch), std::array<int64_t, 2>{sym_batch, 8});
// CHECK: kiln::rt::DeviceArgs device_args(s, {b0.get(), b1.get(), b2.get(), b3.get()});
// CHECK-NEXT: #ifdef KILN_CUDA_KERNELS
// CHECK-NEXT: if (s.device() == kiln::rt::Device::cuda)
// CHECK-NEXT: check_kernel(kiln_mlp_forward_k0_cuda(b0.get(), b1.get(), b2.get(), b3.get()), "kiln_mlp_forward_k0_cuda");
// CHECK-NEXT: else
// CHECK-NEXT: #endif
// CHECK-NEXT: #ifdef KILN_OPENCL_KERNELS
// CHECK-NEXT: if (s.device() == kiln::rt::Device::opencl)
// CHECK-NEXT: check_kernel(kiln_mlp_forward_k0_opencl(b0.get(), b1.get(), b2.get(), b3.get()), "kiln_mlp_forward_k0_opencl");
// CHECK-NEXT: else
// CHECK-NEXT: #endif
// CHECK-NEXT: check_kernel(kiln_mlp_forward_k0(b0.get(), b1.get(), b2.get(), b3.get()), "kiln_mlp_forward_k0");
// CHECK: BufferView b2(out[0]->data(), std::array<int64_t, 2>{sym_batch, 3});
// CHECK: check_kernel(kiln_mlp_forward_k3(
// CHECK: const kiln::rt::ModelDesc &kiln_model_mlp()
// CHECK: {"l0.weight", {8, 4}, kiln::rt::InitKind::uniform, -0x1p-1, 0x1p-1, kiln::rt::ParamRole::parameter},
// CHECK: {"forward", "infer",
// CHECK-NEXT: {{[{][{]}}"x", {{[{][{]}}0, "batch"}, {4, ""}}}},
// The targets of the kernels, as the kernels' header lists them.
// CHECK: {KILN_KERNEL_VARIANTS_mlp},
// CHECK-NEXT: #ifdef KILN_CUDA_KERNELS
// CHECK-NEXT: true,
// CHECK-NEXT: #else
// CHECK-NEXT: false,
// CHECK-NEXT: #endif
// CHECK-NEXT: #ifdef KILN_OPENCL_KERNELS
// CHECK-NEXT: true

// HEADER: namespace kiln::models::mlp {
// HEADER: kiln::rt::Tensor forward(const kiln::rt::Tensor &x) {
