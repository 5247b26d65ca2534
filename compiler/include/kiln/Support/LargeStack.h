//===- LargeStack.h - run a tool's work on a deep stack ---------*- C++ -*-===//
//
// MLIR's parser and verifier recurse once per level of nesting, so a small
// file nested 10,000 deep (brackets, regions) overflows the 8 MiB main
// stack and crashes the tool. kilnc and kiln-opt do their work on a thread
// with a 1 GiB stack instead: reserved address space, committed only as
// it is touched, so a normal run costs nothing; 10,000 levels take well
// under 100 MiB (tests/lit/kilnc/deep-nesting.mlir).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_SUPPORT_LARGESTACK_H
#define KILN_SUPPORT_LARGESTACK_H

#include "llvm/Support/thread.h"

#include <optional>

namespace kiln {

template <class Work> int runOnLargeStack(Work work) {
  int code = 1;
  llvm::thread worker(std::optional<unsigned>(1u << 30),
                      [&] { code = work(); });
  worker.join();
  return code;
}

} // namespace kiln

#endif // KILN_SUPPORT_LARGESTACK_H
