#include "data_parallel.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <algorithm>
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

bool DataParallel::any(bool flag) {
  int value = flag ? 1 : 0;
  check(
      MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD),
      "MPI_Allreduce");
  return value != 0;
}

void DataParallel::sum(float *values, size_t count) {
  if (count > size_t(std::numeric_limits<int>::max()))
    throw rt::Error(fmt::format("data-parallel: {} values are too many for "
                                "one MPI_Allreduce",
                                count));
  check(MPI_Allreduce(MPI_IN_PLACE, values, int(count), MPI_FLOAT, MPI_SUM,
                      MPI_COMM_WORLD),
        "MPI_Allreduce");
}

void DataParallel::abort(const std::string &message) {
  std::fprintf(stderr, "kiln train (process %d of %d): error: %s\n", rank_,
               size_, message.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort(); // MPI_Abort does not return
}

struct GradientAverager::Pending {
  std::vector<MPI_Request> requests;
};

GradientAverager::GradientAverager(DataParallel &job)
    : job_(job), pending_(std::make_unique<Pending>()) {}

GradientAverager::~GradientAverager() = default;

void GradientAverager::start(float *values, size_t count) {
  // MPI counts are int: very large outputs go in pieces.
  constexpr size_t kPiece = std::numeric_limits<int>::max() / 2;
  for (size_t begin = 0; begin < count; begin += kPiece) {
    const int n = static_cast<int>(std::min(kPiece, count - begin));
    MPI_Request r = MPI_REQUEST_NULL;
    check(MPI_Iallreduce(MPI_IN_PLACE, values + begin, n, MPI_FLOAT, MPI_SUM,
                         MPI_COMM_WORLD, &r),
          "MPI_Iallreduce");
    pending_->requests.push_back(r);
  }
  ++reductions_;
}

void GradientAverager::close_bucket() {
  if (open_ < buckets_.size() && !buckets_[open_].empty()) {
    start(buckets_[open_].data(), buckets_[open_].size());
    ++open_;
  }
}

void GradientAverager::begin(std::span<rt::Tensor> outputs) {
  outputs_ = outputs;
  started_.assign(outputs.size(), false);
  for (std::vector<float> &b : buckets_)
    b.clear();
  slots_.clear();
  open_ = 0;
  reductions_ = 0;
  pending_->requests.clear();
}

void GradientAverager::ready(size_t index) {
  if (index >= outputs_.size() || started_[index])
    return;
  started_[index] = true;
  rt::Tensor &t = outputs_[index];
  const auto n = static_cast<size_t>(t.numel());
  if (n >= kBucketFloats) {
    start(t.data(), n);
  } else {
    if (open_ == buckets_.size())
      buckets_.emplace_back();
    std::vector<float> &bucket = buckets_[open_];
    slots_.push_back({open_, bucket.size(), index});
    bucket.insert(bucket.end(), t.data(), t.data() + n);
    if (bucket.size() >= kBucketFloats)
      close_bucket();
  }
  // Open MPI moves non-blocking collectives on inside MPI calls: a test
  // per kernel lets those started earlier proceed during the backward pass.
  int done = 0;
  check(MPI_Testall(static_cast<int>(pending_->requests.size()),
                    pending_->requests.data(), &done, MPI_STATUSES_IGNORE),
        "MPI_Testall");
}

void GradientAverager::finish() {
  for (size_t i = 0; i < outputs_.size(); ++i)
    ready(i);
  close_bucket();
  check(MPI_Waitall(static_cast<int>(pending_->requests.size()),
                    pending_->requests.data(), MPI_STATUSES_IGNORE),
        "MPI_Waitall");
  for (const Slot &s : slots_) {
    rt::Tensor &t = outputs_[s.output];
    std::copy_n(buckets_[s.bucket].data() + s.offset, t.numel(), t.data());
  }
  const float scale = 1.0f / static_cast<float>(job_.size());
  for (rt::Tensor &t : outputs_)
    for (float &v : t.values())
      v *= scale;
}

#else // built without MPI

DataParallel::DataParallel() {
  throw rt::Error("--data-parallel: this kiln was built without MPI (install "
                  "Debian's libopenmpi-dev and rebuild)");
}
DataParallel::~DataParallel() = default;
struct GradientAverager::Pending {};
GradientAverager::GradientAverager(DataParallel &job) : job_(job) {}
GradientAverager::~GradientAverager() = default;
void GradientAverager::begin(std::span<rt::Tensor> outputs) {
  outputs_ = outputs;
}
void GradientAverager::ready(size_t) {}
void GradientAverager::finish() {}
bool DataParallel::any(bool flag) { return flag; }
void DataParallel::sum(float *, size_t) {}
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
