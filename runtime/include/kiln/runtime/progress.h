// A progress line for long runs, on stderr:
//   step 1200/4680  loss 251.31  recon 230.12  kl 21.19  52.1 steps/s  ETA
//   1m07s
// On a terminal the line is redrawn in place with \r (at most ten times a
// second); otherwise (a log file, CI) a line is printed every `every` steps
// and at the last step.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace kiln::rt {

using NamedValue = std::pair<std::string_view, double>;

class Progress {
public:
  // `first_step`: steps already done when this run started (a resumed run);
  // the rate counts this run's steps only.
  Progress(std::ostream &out, int64_t total_steps, int64_t first_step, bool tty,
           int64_t every);
  // Closes a redrawn line, so that an error thrown through the run starts
  // on a line of its own.
  ~Progress();
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;

  // After step `step` (steps done so far) with its values to show.
  void update(int64_t step, std::span<const NamedValue> values);
  // The same with the seconds since this run started given (for tests).
  void update(int64_t step, std::span<const NamedValue> values,
              double elapsed_s);
  // Ends a redrawn line with a newline; harmless otherwise.
  void finish();

  // This run's steps per second so far (0 before the first step).
  double steps_per_second() const { return rate_; }

  // "47s", "3m05s", "2h03m".
  static std::string duration(double seconds);

private:
  std::string line(int64_t step, std::span<const NamedValue> values) const;

  std::ostream &out_;
  int64_t total_, first_;
  bool tty_;
  int64_t every_;
  std::chrono::steady_clock::time_point start_ =
      std::chrono::steady_clock::now();
  double rate_ = 0;
  double last_draw_ = -1;
  size_t drawn_width_ = 0; // of the line on screen, to blank its tail
  bool open_line_ = false;
};

} // namespace kiln::rt
