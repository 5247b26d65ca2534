// Deterministic random fills over Philox streams (see philox.h).
//
// Element j of a fill depends only on (seed, stream, j): block j / 4, word
// j % 4. So a fill gives the same values on any number of threads, and a
// prefix of a longer fill equals the shorter fill.
//
// Stream ids in use (keep them disjoint):
//   [0, 2^32)        parameter i of a model (ParamStore)
//   2^60 + s         latents z of training step s (0-based) of `kiln train`,
//                    keyed by the session's seed (one z per step, shared by
//                    every entry point of the step: a GAN's d_step and g_step)
//   2^61 + k         values drawn by the CLI: k = 0 latents of `kiln sample`
//                    (and of the samples `kiln eval`/`kiln fid` score),
//                    1 noise images of `kiln score --ood`, 2 the
//                    uniform numbers that pick each byte `kiln generate`
//                    samples
//   2^56 + 2 i + s   example i of split s (0 train, 1 test) of the
//                    reverse task (sequence_task.h), with the data seed
//   2^62 + e         the data order of epoch e (Batcher, with the data seed)
//   2^63 + k         input k of an entry point fed by `kiln run`
#pragma once

#include <cstdint>
#include <span>

namespace kiln::rt {

inline constexpr uint64_t kTrainLatentStreamBase = uint64_t{1} << 60;
inline constexpr uint64_t kCliStreamBase = uint64_t{1} << 61;
inline constexpr uint64_t kLatentStream = kCliStreamBase + 0;
inline constexpr uint64_t kNoiseStream = kCliStreamBase + 1;
inline constexpr uint64_t kTextStream = kCliStreamBase + 2;
inline constexpr uint64_t kShuffleStreamBase = uint64_t{1} << 62;
inline constexpr uint64_t kInputStreamBase = uint64_t{1} << 63;

// Uniform in [a, b): 24 random bits per value, so every float in [0, 1)
// with that spacing is equally likely; the result never rounds up to b.
// `threads` = 0 picks a count from the hardware; it never changes values.
void fill_uniform(std::span<float> out, uint64_t seed, uint64_t stream,
                  double a, double b, int threads = 0);

// Normal with the given mean and standard deviation, by Box-Muller on
// pairs of words (0,1) and (2,3) of each block, computed in double.
void fill_normal(std::span<float> out, uint64_t seed, uint64_t stream,
                 double mean, double stddev, int threads = 0);

} // namespace kiln::rt
