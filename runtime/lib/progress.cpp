#include "kiln/runtime/progress.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cmath>

namespace kiln::rt {

Progress::Progress(std::ostream &out, int64_t total_steps, int64_t first_step,
                   bool tty, int64_t every)
    : out_(out), total_(total_steps), first_(first_step), tty_(tty),
      every_(every < 1 ? 1 : every) {}

Progress::~Progress() {
  try {
    finish();
  } catch (...) { // a stream that throws: nothing more to say on it
  }
}

std::string Progress::duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return "?";
  const auto s = static_cast<int64_t>(std::llround(seconds));
  if (s < 60)
    return fmt::format("{}s", s);
  if (s < 3600)
    return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
}

std::string Progress::line(int64_t step,
                           std::span<const NamedValue> values) const {
  std::string s = fmt::format("step {}/{}", step, total_);
  for (const auto &[name, value] : values)
    s += fmt::format("  {} {:.6g}", name, value);
  if (rate_ > 0) {
    s += fmt::format("  {:.3g} steps/s", rate_);
    if (step < total_)
      s += fmt::format("  ETA {}",
                       duration(static_cast<double>(total_ - step) / rate_));
  }
  return s;
}

void Progress::update(int64_t step, std::span<const NamedValue> values) {
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start_;
  update(step, values, elapsed.count());
}

void Progress::update(int64_t step, std::span<const NamedValue> values,
                      double elapsed_s) {
  if (elapsed_s > 0 && step > first_)
    rate_ = static_cast<double>(step - first_) / elapsed_s;
  const bool last = step >= total_;
  if (!tty_) {
    if (step % every_ == 0 || last)
      fmt::print(out_, "{}\n", line(step, values));
    out_.flush();
    return;
  }
  if (!last && last_draw_ >= 0 && elapsed_s - last_draw_ < 0.1)
    return;
  last_draw_ = elapsed_s;
  std::string text = line(step, values);
  const size_t width = text.size();
  if (width < drawn_width_) // blank what a longer previous line left
    text.append(drawn_width_ - width, ' ');
  drawn_width_ = width;
  fmt::print(out_, "\r{}", text);
  out_.flush();
  open_line_ = true;
}

void Progress::finish() {
  if (open_line_)
    fmt::print(out_, "\n");
  open_line_ = false;
  out_.flush();
}

} // namespace kiln::rt
