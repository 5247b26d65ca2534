// Build-time program: writes the Halide runtime for a target as one static
// library. Every kernel library is compiled with no_runtime, so programs
// link exactly one copy of the runtime (thread pool, allocator, CUDA
// loader, CPU feature test) whatever the number of models.
//   kiln-halide-runtime-gen OUT.a [TARGETS]   (TARGETS defaults to host)
// TARGETS as for the kernels (target_list.h): for a list, the runtime uses
// only the features all of its targets have, so it runs wherever any
// variant of the kernels is chosen. It always holds Halide's CUDA and
// OpenCL runtimes too, for models built with GPU kernels: each does nothing
// until a kernel or the Session uses it (it loads the driver then).
#include "target_list.h"

#include <Halide.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s OUT.a [TARGET]\n", argv[0]);
    return 2;
  }
  try {
    const std::filesystem::path out = argv[1];
    const std::string spec = argc == 3 ? argv[2] : "host";
    const Halide::Target target =
        kiln::halide::aot::common_target(
            kiln::halide::aot::parse_target_list(spec))
            .with_feature(Halide::Target::CUDA)
            .with_feature(Halide::Target::OpenCL);
    // Written beside the destination and renamed: never a partial file.
    const std::filesystem::path staged = out.string() + ".tmp";
    Halide::compile_standalone_runtime(
        {{Halide::OutputFileType::static_library, staged.string()}}, target);
    std::filesystem::rename(staged, out);
    std::printf("[kiln-halide-runtime] %s (target %s)\n", out.c_str(),
                target.to_string().c_str());
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "kiln-halide-runtime-gen: error: %s\n", e.what());
    return 1;
  }
}
