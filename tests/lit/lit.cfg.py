# lit configuration for kiln's FileCheck tests (MLIR's standalone example
# layout: one test directory per component, tools found in the build tree).
import os
import lit.formats

config.name = "kiln"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_binary_dir, "tests", "lit")
config.excludes = ["Inputs"]

# kilnc, kiln-opt first, then FileCheck and not from LLVM 19.
config.environment["PATH"] = os.pathsep.join(
    [config.kiln_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
