#include "generative.h"

#include "contract.h"
#include "workflow.h"

#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/image_data.h"
#include "kiln/runtime/safetensors.h"
#include "kiln/runtime/shapes.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>

namespace kiln::cli {
namespace {

// The classifier's entry point from images to `kind` (features or logits).
const rt::EntryDesc &classifier_entry(const rt::ModelDesc &model,
                                      rt::DataKind kind, const char *command) {
  const rt::EntryDesc &e =
      entry_for(model, "",
                {{kind == rt::DataKind::features
                      ? "consumes images and produces features"
                      : "consumes images and produces class logits",
                  {rt::DataKind::images},
                  {},
                  kind}},
                command);
  const int64_t width = row_input_width(e, command);
  require_batched_outputs(e, command);
  if (width != kImagePixels || e.outputs.size() != 1 ||
      e.outputs[0].dims.size() != 2 || !e.outputs[0].dims[1].symbol.empty())
    throw UsageError(fmt::format(
        "the classifier's {}.{} must take images of 784 pixels and return "
        "one [batch, N] output; it takes {} {} and returns {} outputs",
        model.name, e.name, e.inputs[0].name, rt::dims_string(e.inputs[0].dims),
        e.outputs.size()));
  return e;
}

// "test", "train", "test[:N]", "train[:N]".
bool parse_split_spec(const std::string &spec, rt::Split &split,
                      int64_t &limit) {
  const size_t bracket = spec.find('[');
  const auto parsed = rt::parse_split(spec.substr(0, bracket));
  if (!parsed)
    return false;
  split = *parsed;
  limit = -1;
  if (bracket == std::string::npos)
    return true;
  const std::string rest = spec.substr(bracket);
  if (rest.size() < 4 || rest.rfind("[:", 0) != 0 || rest.back() != ']')
    throw UsageError(
        fmt::format("'{}': write a split's first N images as {}[:N]", spec,
                    rt::split_name(split)));
  const char *begin = rest.data() + 2, *end = rest.data() + rest.size() - 1;
  const auto [ptr, ec] = std::from_chars(begin, end, limit);
  if (ec != std::errc() || ptr != end || limit < 2)
    throw UsageError(fmt::format("'{}': N in {}[:N] must be an integer of "
                                 "at least 2",
                                 spec, rt::split_name(split)));
  return true;
}

} // namespace

Classifier::Classifier(const ClassifierOptions &options, uint64_t seed,
                       int threads, const char *command, std::ostream &out) {
  const rt::ModelDesc &model = require_model(options.model);
  features_ = &classifier_entry(model, rt::DataKind::features, command);
  logits_ = &classifier_entry(model, rt::DataKind::logits, command);
  if (options.checkpoint.empty())
    throw UsageError("missing --classifier CKPT (a checkpoint of " +
                     std::string(model.name) +
                     ", e.g. trained with kiln "
                     "train " +
                     std::string(model.name) + ")");
  session_ = open_session(
      ModelOptions{options.model, options.checkpoint, seed, threads, ""}, out);
}

rt::Tensor Classifier::features(const rt::Tensor &images, int64_t batch) {
  return run_rows(*session_, *features_, images, batch)[0];
}

std::vector<int> Classifier::predict(const rt::Tensor &images, int64_t batch) {
  return argmax_rows(run_rows(*session_, *logits_, images, batch)[0]);
}

std::vector<int> argmax_rows(const rt::Tensor &logits) {
  const int64_t n = logits.dim(0), k = logits.dim(1);
  std::vector<int> best(static_cast<size_t>(n), 0);
  for (int64_t i = 0; i < n; ++i) {
    const float *row = logits.data() + i * k;
    for (int64_t j = 1; j < k; ++j)
      if (row[j] > row[best[static_cast<size_t>(i)]] ||
          std::isnan(row[best[static_cast<size_t>(i)]]))
        best[static_cast<size_t>(i)] = static_cast<int>(j);
  }
  return best;
}

ImageSource sample_images(const ModelOptions &options, const std::string &entry,
                          int64_t n, int64_t batch, const char *command,
                          std::ostream &out, std::ostream &err,
                          const SamplerOptions &sampler) {
  const rt::ModelDesc &model = require_model(options.model);
  if (const DiffusionSteps steps = find_diffusion_steps(model);
      entry.empty() && (steps.ddpm || steps.ddim)) {
    sampler_timesteps(sampler, steps.timesteps); // usage errors first
    std::unique_ptr<rt::Session> session = open_session(options, out);
    LatentDecoder decoder(sampler, steps, options.seed, options.threads, out);
    const std::string how =
        sampler.ddim() ? fmt::format("DDIM, {} steps, eta {}",
                                     sampler.ddim_steps(), sampler.ddim_eta())
                       : fmt::format("DDPM, {} steps", steps.timesteps);
    const rt::Tensor samples =
        sample_diffusion(*session, steps, sampler, n, options.seed, batch, err);
    return {fmt::format("{} samples of {} ({}; seed {}){}", n, model.name, how,
                        options.seed, decoder.description()),
            decoder.images(samples, batch)};
  }
  refuse_sampler_options(sampler, model, entry);
  const Generator generator = generation_entry(model, entry, command);
  std::unique_ptr<rt::Session> session = open_session(options, out);
  const rt::Tensor z = sample_latents(n, generator.latent, options.seed);
  // A conditional generator's samples cycle through its classes.
  std::vector<int> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    labels[static_cast<size_t>(i)] =
        generator.classes ? static_cast<int>(i % generator.classes) : 0;
  return {fmt::format("{} samples of {}.{} (seed {}{})", n, model.name,
                      generator.entry->name, options.seed,
                      generator.classes ? ", classes in turn" : ""),
          generate_images(*session, generator, z, labels, batch)};
}

std::function<ImageSource()> image_source(const std::string &spec,
                                          const FidOptions &options,
                                          std::ostream &out,
                                          std::ostream &err) {
  rt::Split split{};
  int64_t limit = -1;
  if (parse_split_spec(spec, split, limit)) {
    auto data = std::make_shared<rt::ImageSet>(load_data(options.data, split));
    if (limit > data->count)
      throw UsageError(fmt::format("'{}': the {} split has {} images", spec,
                                   rt::split_name(split), data->count));
    return [data, limit, split] {
      const int64_t n = limit < 0 ? data->count : limit;
      return ImageSource{fmt::format("{} {} images{}", n, rt::split_name(split),
                                     limit < 0 ? "" : " (the first)"),
                         data->images(0, n, rt::PixelRange::unit)};
    };
  }
  // model:CKPT or NAME:CKPT.
  if (const size_t colon = spec.find(':'); colon != std::string::npos) {
    std::string name = spec.substr(0, colon);
    const std::string checkpoint = spec.substr(colon + 1);
    if (name == "model") {
      name = rt::read_checkpoint_info(checkpoint).model;
      if (name.empty())
        throw UsageError(fmt::format("{} does not say which model it "
                                     "belongs to; write NAME:{}",
                                     checkpoint, checkpoint));
    }
    if (rt::find_model(name) || spec.starts_with("model:")) {
      // What sample_images would refuse, refused before either set is
      // sampled: an unknown model, one that samples no images, a checkpoint
      // unreadable, of another model or whose tensors do not fit the model
      // (from its header; a value that is not finite is found when it is
      // loaded).
      const rt::ModelDesc &model = require_model(name);
      if (const DiffusionSteps steps = find_diffusion_steps(model);
          steps.kind == rt::DataKind::latent)
        // kiln fid has no --decoder: a latent diffusion model's samples are
        // scored by kiln eval, which has.
        throw UsageError(fmt::format(
            "'{}': {} samples latents, which kiln fid cannot decode; kiln "
            "eval {} -c {} --decoder CKPT --classifier CKPT scores its "
            "decoded samples",
            spec, name, name, checkpoint));
      else if (!steps.ddpm && !steps.ddim)
        generation_entry(model, "", "fid");
      rt::check_checkpoint_fits(checkpoint, model);
      return [=, &options, &out, &err] {
        return sample_images(
            ModelOptions{name, checkpoint, options.seed, options.threads, ""},
            "", options.n, options.batch, "fid", out, err);
      };
    }
  }
  const bool pair = spec.find(',') != std::string::npos;
  if (!pair && !std::filesystem::exists(spec))
    throw UsageError(fmt::format(
        "'{}' is not an image set: write test, train, test[:N], train[:N], "
        "a FILE.safetensors of images in [0, 1], a folder of PNG images, a "
        ".npy file, or model:CKPT (or NAME:CKPT) to sample a generative "
        "model",
        spec));
  // Any other image source --data takes (a folder of PNG images, .npy,
  // IDX, IMAGES,LABELS): all its images.
  if (pair || !spec.ends_with(".safetensors"))
    return [spec] {
      const rt::ImageSet data = load_data(spec, rt::Split::test);
      return ImageSource{
          fmt::format("{} images of {}", data.count,
                      rt::describe_image_data(spec, rt::Split::test)),
          data.images(0, data.count, rt::PixelRange::unit)};
    };
  const rt::SafetensorsHeader header = rt::read_safetensors_header(spec);
  if (const std::string *format = header.meta("format");
      format && *format == rt::kCheckpointFormat)
    throw UsageError(fmt::format(
        "{} is a checkpoint{}; to score the "
        "model's samples write model:{}",
        spec,
        header.meta("model") ? " of " + *header.meta("model") : std::string(),
        spec));
  return [spec] {
    rt::Tensor images = read_images_file(spec, "", kImagePixels);
    return ImageSource{fmt::format("{} images of {}", images.dim(0), spec),
                       std::move(images)};
  };
}

void print_fid(std::ostream &out, const rt::FrechetDistance &fid,
               const ImageSource &a, const ImageSource &b,
               const Classifier &classifier) {
  require_finite(fid.distance, fmt::format("the FID between {} and {}",
                                           a.description, b.description));
  fmt::print(out, "FID {:.4f}\n  between {}\n      and {}\n", fid.distance,
             a.description, b.description);
  fmt::print(out,
             "  in {}.{} space [{}]: |mu_a - mu_b|^2 {:.4f}, tr S_a {:.4f}, "
             "tr S_b {:.4f}, tr (S_a^1/2 S_b S_a^1/2)^1/2 {:.4f}\n",
             classifier.model().name, classifier.features_entry().name,
             classifier.features_entry().outputs[0].dims[1].size, fid.mean_term,
             fid.trace_a, fid.trace_b, fid.trace_sqrt);
  if (fid.clamped > 0)
    fmt::print(out, "  ({} slightly negative eigenvalues clamped to 0)\n",
               fid.clamped);
  const int64_t dim = classifier.features_entry().outputs[0].dims[1].size;
  if (a.images.dim(0) <= dim || b.images.dim(0) <= dim)
    fmt::print(out,
               "  note: a set has no more images than the {} features, "
               "so its covariance is singular; FID grows as sets "
               "shrink: compare FIDs of equal set sizes only\n",
               dim);
}

void print_class_shares(std::ostream &out, const std::vector<int> &predicted,
                        int64_t classes) {
  std::vector<int64_t> counts(static_cast<size_t>(classes), 0);
  for (int c : predicted)
    ++counts.at(static_cast<size_t>(c));
  const double n = static_cast<double>(predicted.size());
  double entropy = 0;
  for (int64_t c = 0; c < classes; ++c) {
    const double share =
        static_cast<double>(counts[static_cast<size_t>(c)]) / n;
    if (share > 0)
      entropy -= share * std::log2(share);
    const std::string name =
        classes == rt::kFashionMnistClasses
            ? fmt::format("{} {}", c,
                          rt::fashion_mnist_class_name(static_cast<int>(c)))
            : std::to_string(c);
    fmt::print(out, "  {:<14} {:6.2f}%  {}\n", name, 100 * share,
               std::string(static_cast<size_t>(std::lround(share * 100)), '#'));
  }
  fmt::print(out, "  entropy {:.3f} bits (uniform over {} classes: {:.3f})\n",
             entropy, classes, std::log2(static_cast<double>(classes)));
}

} // namespace kiln::cli
