#include "interrupt.h"

#include <csignal>
#include <ctime>

namespace kiln::cli {
namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM};

volatile std::sig_atomic_t g_signal = 0; // the first, 0 before
struct timespec g_first {};
struct sigaction g_previous[2]{};

// Only async-signal-safe calls: clock_gettime, sigaction, raise.
void on_signal(int sig) {
  struct timespec now {};
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (g_signal == 0) {
    g_first = now;
    g_signal = sig;
    return;
  }
  const double since = double(now.tv_sec - g_first.tv_sec) +
                       1e-9 * double(now.tv_nsec - g_first.tv_nsec);
  if (since < 1.0)
    return; // the first request, delivered again
  // A user who asks twice wants out: die of the signal, as without us.
  struct sigaction plain {};
  plain.sa_handler = SIG_DFL;
  sigemptyset(&plain.sa_mask);
  sigaction(sig, &plain, nullptr);
  raise(sig);
}

} // namespace

InterruptGuard::InterruptGuard() {
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; // no SA_RESTART needed: the loop only polls the flag
  for (int i = 0; i < 2; ++i)
    sigaction(kSignals[i], &action, &g_previous[i]);
}

InterruptGuard::~InterruptGuard() {
  for (int i = 0; i < 2; ++i)
    sigaction(kSignals[i], &g_previous[i], nullptr);
}

bool InterruptGuard::requested() const { return g_signal != 0; }

const char *InterruptGuard::signal_name() const {
  return g_signal == SIGTERM ? "SIGTERM" : g_signal == SIGINT ? "SIGINT" : "";
}

} // namespace kiln::cli
