//===- kilnc.cpp - the kiln compiler driver -------------------------------===//
//
// kilnc model.mlir --emit=all --output-dir DIR
//
// Parses and verifies the DSL's MLIR, runs the pipeline (shape check,
// canonicalize + CSE, fusion, memory plan) and writes the generated files.
// Every file is written atomically, so an interrupted build never leaves a
// half-written source behind.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Emit/Emitters.h"
#include "kiln/Support/LargeStack.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <functional>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class Emit { mlir, kernels, plan, header, manifest, all };

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                               cl::Required);
cl::opt<Emit> emitKind(
    "emit", cl::desc("What to write"), cl::init(Emit::all),
    cl::values(clEnumValN(Emit::mlir, "mlir", "the IR after the pipeline"),
               clEnumValN(Emit::kernels, "kernels",
                          "Halide generators (NAME.kernels.cpp)"),
               clEnumValN(Emit::plan, "plan", "the plan (NAME.plan.cpp)"),
               clEnumValN(Emit::header, "header", "typed header (NAME.h)"),
               clEnumValN(Emit::manifest, "manifest",
                          "parameters, entries, kernels (JSON)"),
               clEnumValN(Emit::all, "all", "all files into --output-dir")));
cl::opt<std::string> outputFile("o", cl::desc("Output file ('-' = stdout)"),
                                cl::init("-"));
cl::opt<std::string> outputDir("output-dir",
                               cl::desc("Directory for --emit=all"),
                               cl::init("."));
cl::opt<std::string>
    schedule("schedule",
             cl::desc("heuristic | adams2019 | mullapudi2016 | li2018"),
             cl::init("heuristic"));
cl::opt<std::string> convAlgorithm(
    "conv-algorithm",
    cl::desc("auto | direct | winograd: how kernels compute convolutions"),
    cl::init("auto"));
cl::opt<bool> printAfterAll("print-ir-after-all",
                            cl::desc("Print the IR after every pass"));
cl::opt<std::string>
    expectModel("expect-model",
                cl::desc("Fail unless the module's kiln.model is this name"));
cl::opt<std::string>
    modelName("model-name",
              cl::desc("Name the output (files, kernels, ModelDesc) this "
                       "instead of the module's kiln.model"));
cl::opt<bool> dataParallel(
    "data-parallel",
    cl::desc("Also emit ENTRY_gradients and ENTRY_update for every train "
             "entry point (data-parallel training, docs/training.md)"));
cl::opt<bool> noPipeline("no-pipeline",
                         cl::desc("Verify only; emit the IR as parsed"));

/// Writes through a temporary file and a rename. A file that already holds
/// the text is left alone, so its time stamp stays and the build (Ninja's
/// restat) skips the Halide compile of kernels that did not change.
LogicalResult
writeFile(llvm::StringRef path,
          const std::function<LogicalResult(llvm::raw_ostream &)> &write) {
  if (path == "-")
    return write(llvm::outs());
  std::string text;
  llvm::raw_string_ostream os(text);
  if (failed(write(os)))
    return failure();
  if (auto old = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false);
      old && (*old)->getBuffer() == text)
    return success();
  llvm::Error err = llvm::writeToOutput(path, [&](llvm::raw_ostream &out) {
    out << text;
    return llvm::Error::success();
  });
  if (err) {
    llvm::errs() << "kilnc: cannot write " << path << ": "
                 << llvm::toString(std::move(err)) << "\n";
    return failure();
  }
  return success();
}

int run() {
  const std::optional<kiln::Schedule> scheduleKind =
      kiln::symbolizeSchedule(schedule);
  if (!scheduleKind) {
    llvm::errs() << "kilnc: unknown --schedule=" << schedule
                 << " (expected heuristic, adams2019, mullapudi2016 or "
                    "li2018)\n";
    return 2;
  }
  const std::optional<kiln::ConvAlgorithm> convKind =
      kiln::symbolizeConvAlgorithm(convAlgorithm);
  if (!convKind) {
    llvm::errs() << "kilnc: unknown --conv-algorithm=" << convAlgorithm
                 << " (expected auto, direct or winograd)\n";
    return 2;
  }
  DialectRegistry registry;
  registry.insert<kiln::KilnDialect, func::FuncDialect>();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string error;
  auto file = openInputFile(inputFile, &error);
  if (!file) {
    llvm::errs() << "kilnc: " << error << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1; // the diagnostic handler has printed a located error

  kiln::EmitOptions options;
  options.schedule = *scheduleKind;
  options.convAlgorithm = *convKind;
  auto name = (*module)->getAttrOfType<StringAttr>("kiln.model");
  if (!name) {
    (*module)->emitError("module has no kiln.model name");
    return 1;
  }
  if (!expectModel.empty() && name.getValue() != expectModel) {
    llvm::errs() << "kilnc: " << inputFile << " defines model '"
                 << name.getValue() << "' but the build expects '"
                 << expectModel << "' (check KILN_MODEL and kiln_add_model)\n";
    return 1;
  }
  options.model = name.getValue().str();
  if (!modelName.empty()) {
    options.model = modelName;
    (*module)->setAttr("kiln.model", StringAttr::get(&context, options.model));
  }

  if (!noPipeline) {
    PassManager pm(&context);
    if (printAfterAll) {
      context.disableMultithreading();
      pm.enableIRPrinting(
          /*shouldPrintBeforePass=*/[](Pass *, Operation *) { return false; },
          /*shouldPrintAfterPass=*/[](Pass *, Operation *) { return true; },
          /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
    }
    kiln::buildKilnPipeline(pm, {.dataParallel = dataParallel});
    if (failed(pm.run(*module)))
      return 1;
  }

  auto printIR = [&](llvm::raw_ostream &os) {
    module->print(os);
    return success();
  };
  auto kernels = [&](llvm::raw_ostream &os) {
    return kiln::emitHalideKernels(*module, options, os);
  };
  auto plan = [&](llvm::raw_ostream &os) {
    return kiln::emitPlan(*module, options, os);
  };
  auto header = [&](llvm::raw_ostream &os) {
    return kiln::emitModelHeader(*module, options, os);
  };
  auto manifest = [&](llvm::raw_ostream &os) {
    return kiln::emitManifest(*module, options, os);
  };
  bool needsPlan = emitKind != Emit::mlir;
  if (needsPlan && noPipeline) {
    llvm::errs() << "kilnc: --no-pipeline only works with --emit=mlir\n";
    return 2;
  }

  switch (emitKind) {
  case Emit::mlir:
    return failed(writeFile(outputFile, printIR));
  case Emit::kernels:
    return failed(writeFile(outputFile, kernels));
  case Emit::plan:
    return failed(writeFile(outputFile, plan));
  case Emit::header:
    return failed(writeFile(outputFile, header));
  case Emit::manifest:
    return failed(writeFile(outputFile, manifest));
  case Emit::all: {
    if (std::error_code ec = llvm::sys::fs::create_directories(outputDir)) {
      llvm::errs() << "kilnc: cannot create " << outputDir << ": "
                   << ec.message() << "\n";
      return 1;
    }
    auto path = [&](llvm::StringRef suffix) {
      llvm::SmallString<256> p(outputDir);
      llvm::sys::path::append(p, options.model + suffix.str());
      return std::string(p);
    };
    bool ok = succeeded(writeFile(path(".kernels.cpp"), kernels)) &&
              succeeded(writeFile(path(".plan.cpp"), plan)) &&
              succeeded(writeFile(path(".h"), header)) &&
              succeeded(writeFile(path(".manifest.json"), manifest)) &&
              succeeded(writeFile(path(".opt.mlir"), printIR));
    return ok ? 0 : 1;
  }
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "kiln model compiler\n");
  return kiln::runOnLargeStack(run);
}
