#include "interrupt.h"

#include <csignal>

namespace kiln::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
struct sigaction g_previous {};

void on_sigint(int) {
  g_interrupted = 1;
  // The next Ctrl-C is not caught: a user who presses it twice wants out.
  std::signal(SIGINT, SIG_DFL);
}

} // namespace

InterruptGuard::InterruptGuard() {
  g_interrupted = 0;
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; // no SA_RESTART needed: the loop only polls the flag
  sigaction(SIGINT, &action, &g_previous);
}

InterruptGuard::~InterruptGuard() { sigaction(SIGINT, &g_previous, nullptr); }

bool InterruptGuard::requested() const { return g_interrupted != 0; }

} // namespace kiln::cli
