// Session::run's argument checks (messages asserted word for word, since
// users read them), running a hand-written plan, and the arena.
#include "fake_model.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/shapes.h"

#include <gtest/gtest.h>

#include <cstdint>

using namespace kiln::rt;

namespace {

// The message of the Error that `f` throws, or "" if it does not throw.
template <class F> std::string error_of(F &&f) {
  try {
    f();
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

std::vector<Tensor> run(Session &s, std::string_view entry,
                        std::vector<const Tensor *> inputs) {
  return s.run(entry, inputs);
}

} // namespace

TEST(Session, RunsAPlanWithParamsAndArena) {
  Session s(kiln_model_fake(), 0);
  Tensor x({2, 3}, {1, 2, 3, 4, 5, 6});
  const auto out = run(s, "affine", {&x});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (std::vector<int64_t>{2, 3}));
  const std::vector<float> expected = {2.5, 4.5, 6.5, 8.5, 10.5, 12.5};
  EXPECT_EQ(std::vector<float>(out[0].values().begin(), out[0].values().end()),
            expected);
}

TEST(Session, ParamsComeFromTheSeed) {
  Session a(kiln_model_fake(), 1), b(kiln_model_fake(), 1),
      c(kiln_model_fake(), 2);
  EXPECT_EQ(a.params().get("embed.weight").values()[0],
            b.params().get("embed.weight").values()[0]);
  EXPECT_NE(a.params().get("embed.weight").values()[0],
            c.params().get("embed.weight").values()[0]);
}

TEST(Session, UnknownEntryListsEntries) {
  Session s(kiln_model_fake());
  Tensor x({2, 3});
  EXPECT_EQ(error_of([&] { run(s, "forward", {&x}); }),
            "fake has no entry point 'forward'; entry points: affine, pair, "
            "wrong_shape, failing, argmax");
}

TEST(Session, WrongInputCount) {
  Session s(kiln_model_fake());
  Tensor x({2, 3});
  EXPECT_EQ(error_of([&] {
              run(s, "affine", {&x, &x});
            }),
            "fake.affine: expects 1 input (x [batch, 3]) but got 2");
  EXPECT_EQ(error_of([&] { run(s, "pair", {}); }),
            "fake.pair: expects 2 inputs (a [batch, 3], b [batch, seq]) but "
            "got 0");
}

TEST(Session, WrongRank) {
  Session s(kiln_model_fake());
  Tensor x({2, 3, 1});
  EXPECT_EQ(error_of([&] { run(s, "affine", {&x}); }),
            "fake.affine: input 'x' has shape [2, 3, 1] but the entry expects "
            "[batch, 3]");
}

TEST(Session, WrongStaticSize) {
  Session s(kiln_model_fake());
  Tensor x({4, 31});
  EXPECT_EQ(error_of([&] { run(s, "affine", {&x}); }),
            "fake.affine: input 'x' has shape [4, 31] but the entry expects "
            "[batch, 3]");
}

TEST(Session, InconsistentSymbolAcrossInputs) {
  Session s(kiln_model_fake());
  Tensor a({4, 3}), b({5, 7});
  EXPECT_EQ(error_of([&] {
              run(s, "pair", {&a, &b});
            }),
            "fake.pair: input 'b' has shape [5, 7] but the entry expects "
            "[batch, seq] with batch = 4 (from input 'a')");
}

TEST(Session, SymbolsBindAcrossInputsAndSizeOutputs) {
  Session s(kiln_model_fake());
  Tensor a({2, 3}, {1, 0, 0, 10, 0, 0}), b({2, 4});
  const auto out = run(s, "pair", {&a, &b});
  EXPECT_EQ(out[0].shape(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(out[0].values()[3], 1.0f);
  EXPECT_EQ(out[0].values()[4], 10.0f);
}

TEST(Session, ZeroSizedSymbolIsRejected) {
  Session s(kiln_model_fake());
  Tensor x({0, 3});
  EXPECT_EQ(error_of([&] { run(s, "affine", {&x}); }),
            "fake.affine: input 'x' has shape [0, 3] but the entry expects "
            "[batch, 3] (batch must be at least 1)");
}

TEST(Session, NullInputAndWrongOutputCount) {
  Session s(kiln_model_fake());
  EXPECT_EQ(error_of([&] { run(s, "affine", {nullptr}); }),
            "fake.affine: input 'x' is null");
  Tensor x({2, 3});
  std::vector<const Tensor *> in = {&x};
  EXPECT_EQ(error_of([&] { s.run("affine", in, std::span<Tensor *const>{}); }),
            "fake.affine: expects 1 output but got 0");
}

TEST(Session, PlanReturningTheWrongShapeIsReported) {
  Session s(kiln_model_fake());
  Tensor x({2, 3});
  EXPECT_EQ(error_of([&] { run(s, "wrong_shape", {&x}); }),
            "internal error (the generated plan is wrong): fake.wrong_shape: "
            "output 'y' has shape [2, 4] but the entry expects [batch, 3]");
}

TEST(Session, KernelFailureNamesTheKernel) {
  Session s(kiln_model_fake());
  Tensor x({2, 3});
  EXPECT_EQ(error_of([&] { run(s, "failing", {&x}); }),
            "kernel fake_failing failed with Halide error -4 (access out of "
            "bounds)");
  EXPECT_NO_THROW(check_kernel(0, "ok"));
}

TEST(Session, DeviceWithoutKernelsOrDriverIsAnError) {
  EXPECT_EQ(parse_device("cpu"), Device::cpu);
  EXPECT_EQ(parse_device("cuda"), Device::cuda);
  EXPECT_EQ(parse_device("opencl"), Device::opencl);
  EXPECT_EQ(error_of([] { parse_device("gpu"); }),
            "unknown device 'gpu' (cpu, cuda, opencl)");
  EXPECT_EQ(error_of([] { Session s(kiln_model_fake(), 0, Device::opencl); }),
            "--device opencl: model fake was built without OpenCL kernels "
            "(build it with kiln_add_model(... GPU opencl) or configure with "
            "-DKILN_GPU=opencl)");
  EXPECT_EQ(error_of([] { Session s(kiln_model_fake(), 0, Device::cuda); }),
            "--device cuda: model fake was built without CUDA kernels (build "
            "it with kiln_add_model(... GPU cuda) or configure with "
            "-DKILN_GPU=cuda)");
  // A model that claims CUDA kernels, in a program without the Halide CUDA
  // runtime: the driver is missing (CI) or the runtime is; either way a
  // message that starts with the flag, not a crash.
  ModelDesc gpu = kiln_model_fake();
  gpu.cuda_kernels = true;
  const std::string e = error_of([&] { Session s(gpu, 0, Device::cuda); });
  EXPECT_EQ(e.rfind("--device cuda: ", 0), 0u) << e;
  // Likewise OpenCL: this test program links no Halide runtime at all.
  gpu.opencl_kernels = true;
  const std::string o = error_of([&] { Session s(gpu, 0, Device::opencl); });
  EXPECT_EQ(o.rfind("--device opencl: ", 0), 0u) << o;
  // On the CPU the plans see no device memory.
  Session cpu(kiln_model_fake(), 0);
  EXPECT_EQ(cpu.device(), Device::cpu);
  EXPECT_EQ(cpu.device_memory(), nullptr);
}

TEST(Arena, RegionsAreAlignedAndGrow) {
  Session s(kiln_model_fake());
  float *r0 = s.arena(0, 100);
  float *r2 = s.arena(2, 1); // regions may be requested out of order
  EXPECT_EQ(reinterpret_cast<uintptr_t>(r0) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(r2) % 64, 0u);
  EXPECT_NE(r0, r2);
  r0[24] = 7; // 100 bytes = 25 floats
  // Same or smaller size: same memory, contents kept.
  EXPECT_EQ(s.arena(0, 64), r0);
  EXPECT_EQ(s.arena(0, 100)[24], 7.0f);
  // Larger: new memory, still aligned, fully usable.
  float *big = s.arena(0, 1 << 20);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big) % 64, 0u);
  big[(1 << 18) - 1] = 1;
  EXPECT_EQ(s.arena(1, 0) != nullptr, true); // never null, even for 0 bytes
  EXPECT_EQ(s.arena(2, 1), r2);
}

TEST(Arena, NegativeIndexIsAnError) {
  Session s(kiln_model_fake());
  EXPECT_THROW(s.arena(-1, 8), Error);
}

TEST(Shapes, DimsStringAndSymbols) {
  const EntryDesc *pair = kiln_model_fake().find_entry("pair");
  ASSERT_NE(pair, nullptr);
  EXPECT_EQ(dims_string(pair->inputs[1].dims), "[batch, seq]");
  EXPECT_EQ(entry_symbols(*pair),
            (std::vector<std::string_view>{"batch", "seq"}));
  SymbolBindings b;
  EXPECT_FALSE(resolve(pair->inputs[1].dims, b).has_value());
  b.bind("batch", 2, "test");
  b.bind("seq", 9, "test");
  EXPECT_EQ(*resolve(pair->inputs[1].dims, b), (std::vector<int64_t>{2, 9}));
}

TEST(Registry, FindAndList) {
  register_model(kiln_model_fake());
  register_model(kiln_model_fake()); // twice is harmless
  EXPECT_EQ(find_model("fake"), &kiln_model_fake());
  EXPECT_EQ(find_model("nope"), nullptr);
  const auto models = registered_models();
  EXPECT_EQ(std::count(models.begin(), models.end(), &kiln_model_fake()), 1);
  static const ModelDesc impostor{.name = "fake", .params = {}, .entries = {}};
  EXPECT_THROW(register_model(impostor), Error);
}
