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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  return kiln::runOnLargeStack([&] { return compile(text); });
}
