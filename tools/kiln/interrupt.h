// Stopping training cleanly: the first SIGINT (Ctrl-C) or SIGTERM (what
// docker stop, systemd and slurm send) asks the loop to stop after the
// current step and save. The same signal delivered again within a second
// (`timeout` signals the process and then its group) is that one request;
// a later one kills the process as usual (the checkpoint on disk stays
// whole: it is replaced atomically).
#pragma once

namespace kiln::cli {

class InterruptGuard {
public:
  // Installs the handlers; the destructor restores the previous ones.
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard &) = delete;
  InterruptGuard &operator=(const InterruptGuard &) = delete;

  // True once SIGINT or SIGTERM arrived while the guard was alive.
  bool requested() const;
  // "SIGINT" or "SIGTERM": the first that arrived; "" before.
  const char *signal_name() const;
};

} // namespace kiln::cli
