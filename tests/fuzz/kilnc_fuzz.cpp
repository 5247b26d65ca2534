//===- kilnc_fuzz.cpp - libFuzzer target: kilnc on any model file --------===//
//
// What kilnc does with a .mlir file: parse and verify the kiln dialect, run
// the pipeline (shape check, autodiff, optimizer, fusion, memory plan) and
// emit every generated file. Any input must either compile or be refused
// with a diagnostic; a crash, a hang or a sanitizer report is a finding.
// It runs on the large stack kilnc uses (LargeStack.h), so deep nesting is
// judged as kilnc would judge it.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Emit/Emitters.h"
#include "kiln/Support/LargeStack.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

int compile(llvm::StringRef text) {
  DialectRegistry registry;
  registry.insert<kiln::KilnDialect, func::FuncDialect>();
  MLIRContext context(registry, MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  // Refusals are expected; their text is not what is fuzzed.
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });

  // A copy, so the buffer ends in the NUL that MLIR's lexer expects of a
  // file read from disk.
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text),
                               llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 0;
  auto name = (*module)->getAttrOfType<StringAttr>("kiln.model");
  if (!name)
    return 0;

  PassManager pm(&context);
  kiln::buildKilnPipeline(pm);
  if (failed(pm.run(*module)))
    return 0;

  kiln::EmitOptions options;
  options.model = name.getValue().str();
  std::string sink;
  llvm::raw_string_ostream os(sink);
  (void)kiln::emitHalideKernels(*module, options, os);
  (void)kiln::emitPlan(*module, options, os);
  (void)kiln::emitModelHeader(*module, options, os);
  (void)kiln::emitManifest(*module, options, os);
  return 0;
}

} // namespace

// Debian's libMLIR is not instrumented, but LLVM's BumpPtrAllocator is
// header code, so it is instrumented where kiln's code inlines it: a slab
// that kiln starts (creating one of the dialect's attributes, KilnAttrs.td)
// is poisoned whole, libMLIR's later allocations from it are never
// unpoisoned, and reading them reports a false use-after-poison (found
// 2026-12-05; gone with this option). ASan's own checks stay on.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  return kiln::runOnLargeStack([&] { return compile(text); });
}
