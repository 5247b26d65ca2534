#include "data_parallel.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <cstdio>
#include <limits>

#if KILN_HAVE_MPI
#include <mpi.h>
#endif

namespace kiln::cli {

#if KILN_HAVE_MPI

namespace {

// MPI's own words for a failed call, as an rt::Error.
void check(int code, const char *call) {
  if (code == MPI_SUCCESS)
    return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw rt::Error(fmt::format("data-parallel: {} failed: {} (did another "
                              "process of the job stop?)",
                              call, std::string(text, size_t(length))));
}

} // namespace

DataParallel::DataParallel() {
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided),
        "MPI_Init_thread");
  // Failures come back as codes (and become errors with a message) rather
  // than MPI's default of aborting with its own.
  check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN),
        "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

DataParallel::~DataParallel() { MPI_Finalize(); }

void DataParallel::average(std::span<float> values) {
  // MPI counts are int: very large buffers go in pieces.
  constexpr size_t kPiece = std::numeric_limits<int>::max() / 2;
  for (size_t begin = 0; begin < values.size(); begin += kPiece) {
    const int n = static_cast<int>(std::min(kPiece, values.size() - begin));
    check(MPI_Allreduce(MPI_IN_PLACE, values.data() + begin, n, MPI_FLOAT,
                        MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
  }
  const float scale = 1.0f / static_cast<float>(size_);
  for (float &v : values)
    v *= scale;
}

bool DataParallel::any(bool flag) {
  int value = flag ? 1 : 0;
  check(
      MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD),
      "MPI_Allreduce");
  return value != 0;
}

void DataParallel::abort(const std::string &message) {
  std::fprintf(stderr, "kiln train (process %d of %d): error: %s\n", rank_,
               size_, message.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort(); // MPI_Abort does not return
}

#else // built without MPI

DataParallel::DataParallel() {
  throw rt::Error("--data-parallel: this kiln was built without MPI (install "
                  "Debian's libopenmpi-dev and rebuild)");
}
DataParallel::~DataParallel() = default;
void DataParallel::average(std::span<float>) {}
bool DataParallel::any(bool flag) { return flag; }
void DataParallel::abort(const std::string &message) {
  std::fprintf(stderr, "kiln train: error: %s\n", message.c_str());
  std::abort();
}

#endif

DataParallel &DataParallel::join() {
  static DataParallel job;
  return job;
}

} // namespace kiln::cli
