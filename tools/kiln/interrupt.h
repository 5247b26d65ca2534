// Ctrl-C during training: the first SIGINT asks the loop to stop after the
// current step (and save); a second one kills the process as usual.
#pragma once

namespace kiln::cli {

class InterruptGuard {
public:
  // Installs the handler; the destructor restores the previous one.
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard &) = delete;
  InterruptGuard &operator=(const InterruptGuard &) = delete;

  // True once SIGINT arrived while the guard was alive.
  bool requested() const;
};

} // namespace kiln::cli
