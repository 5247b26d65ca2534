#include "process_pool.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <sys/wait.h>
#include <unistd.h>

namespace kiln::halide::aot {
namespace {

std::filesystem::path report(const std::filesystem::path &scratch, size_t i) {
  return scratch / ("work-" + std::to_string(i) + ".error");
}

std::string read_report(const std::filesystem::path &file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The child's side: run one item, report a failure, never return.
[[noreturn]] void run_child(size_t i, const std::filesystem::path &scratch,
                            const std::function<void(size_t)> &work) {
  int code = 0;
  try {
    work(i);
  } catch (const std::exception &e) {
    std::ofstream(report(scratch, i)) << e.what();
    code = 1;
  }
  std::fflush(nullptr);
  _exit(code); // no destructors or atexit handlers: they are the parent's
}

} // namespace

std::optional<WorkError>
for_each_in_child_processes(size_t count, int jobs,
                            const std::filesystem::path &scratch,
                            const std::function<void(size_t)> &work) {
  std::map<pid_t, size_t> running; // pid -> item
  std::map<size_t, std::string> failures;
  size_t next = 0;
  auto reap_one = [&] {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, 0)) < 0 && errno == EINTR) {
    }
    if (pid < 0)
      throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    auto it = running.find(pid);
    if (it == running.end())
      return;
    const size_t i = it->second;
    running.erase(it);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
      return;
    std::string why = read_report(report(scratch, i));
    if (why.empty())
      why = WIFSIGNALED(status)
                ? "its build process was killed by signal " +
                      std::to_string(WTERMSIG(status)) + " (out of memory?)"
                : "its build process exited with status " +
                      std::to_string(WEXITSTATUS(status));
    failures[i] = why;
  };
  while ((next < count && failures.empty()) || !running.empty()) {
    if (next < count && failures.empty() &&
        static_cast<int>(running.size()) < std::max(jobs, 1)) {
      std::fflush(nullptr); // children must not repeat buffered output
      const pid_t pid = fork();
      if (pid == 0)
        run_child(next, scratch, work);
      if (pid < 0) {
        if (running.empty())
          throw std::runtime_error(std::string("fork: ") +
                                   std::strerror(errno));
        reap_one(); // out of processes: wait for one to finish first
        continue;
      }
      running[pid] = next++;
      continue;
    }
    reap_one();
  }
  if (!failures.empty())
    return WorkError{failures.begin()->first, failures.begin()->second};
  return std::nullopt;
}

} // namespace kiln::halide::aot
