#include "model_commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace kiln::cli {
namespace {

// --data (kiln/runtime/image_data.h).
constexpr const char *kDataHelp =
    "Images: a directory of Fashion-MNIST IDX files (default: "
    "$KILN_FASHION_MNIST or /usr/share/datasets/fashion-mnist), a folder "
    "of PNG images (DIR/CLASS/*.png for labels), a .npy or .safetensors "
    "file (tensors 'images' and 'labels'), or IMAGES,LABELS: two files "
    "(IDX, .npy or .safetensors). Text (a language model): a file, "
    "or a directory of text files (default: $KILN_FORTUNES or "
    "/usr/share/games/fortunes). A sequence task: reverse (the default). "
    "Latents (a latent diffusion model): a safetensors file that kiln "
    "encode wrote";

// --checkpoint, --seed, --threads, --data: what every command that runs a
// trained model takes.
void add_common(CLI::App *app, ModelOptions &o, bool data) {
  app->add_option("MODEL", o.model, "Model name (see `kiln list`)");
  app->add_option("--checkpoint,-c", o.checkpoint,
                  "Checkpoint or weights file (safetensors), e.g. "
                  "runs/MODEL/checkpoint.safetensors")
      ->required();
  app->add_option("--seed,-s", o.seed,
                  "Seed of the session (random numbers drawn in the graph "
                  "and by this command)")
      ->check(seed_value())
      ->capture_default_str();
  app->add_option("--threads,-t", o.threads,
                  "Threads for the kernels; 0 = one per core")
      ->check(at_least(0))
      ->capture_default_str();
  app->add_flag("--ema", o.ema,
                "Use the checkpoint's moving average of the weights (a "
                "model trained with ema)");
  if (data)
    app->add_option("--data", o.data, kDataHelp);
}

void add_train(CLI::App &app, ModelCommands &c) {
  TrainOptions &o = c.train;
  CLI::App *t = c.train_app = app.add_subcommand(
      "train", "Train a model on its data (Fashion-MNIST, a text corpus or "
               "a generated task), with checkpoints and metrics");
  t->footer(
      "Runs the model's train entry point (the one no sequence runs a part "
      "of; a GAN's train_step\nruns d_step then g_step) on shuffled batches "
      "of its training data (the last\npartial batch of each "
      "epoch is dropped). Inputs are fed as the model declares them\n"
      "(consumes(), docs/dsl.md): images ([batch, 784] or [batch, 1, 28, 28]) "
      "in the range they state,\none-hot labels [batch, 10], noise "
      "[batch, L] ~ N(0, I) (one draw per step shared by\nthe step's entry "
      "points), windows of a text corpus and their next bytes, or pairs of "
      "a\nsequence task (source, target). The batch is the model's (batch()) "
      "unless --batch says. "
      "Writes\nDIR/metrics.jsonl and "
      "DIR/checkpoint.safetensors (atomically: every --checkpoint-every "
      "steps, at the end, and on\nCtrl-C, which stops after the current "
      "step and exits with 130).\n\n"
      "--epochs and --steps are totals counted from step 0, so a resumed run "
      "takes the same value\nas the run it continues; --resume restores "
      "parameters, optimizer state, data order and random\nnumbers, and "
      "gives the same parameters, bit for bit, as a run that was never "
      "stopped.\n\n"
      "The optimizer is compiled into the model (models/*.cpp); its "
      "learning rate is the model's\nunless --lr says, and changes per "
      "step with --warmup and --lr-schedule cosine, without\nrecompiling. "
      "A resumed run follows the schedule its flags give, from its step.");
  t->add_option("MODEL", o.model, "Model name (see `kiln list`)");
  t->add_option("--entry", o.entry,
                "Train entry point, or several separated by commas, called "
                "in that order every step (default: the model's train entry "
                "point that no sequence runs a part of)");
  auto *epochs = t->add_option("--epochs,-e", o.epochs,
                               "Train until this many epochs are done "
                               "(default 1)")
                     ->check(at_least(1));
  t->add_option("--steps", o.steps, "Train until this many steps are done")
      ->check(at_least(1))
      ->excludes(epochs);
  t->add_option("--batch,-b", o.batch,
                "Batch size (default: the model's, which `kiln info MODEL` "
                "shows; a resumed run keeps its own)")
      ->check(at_least(1));
  t->add_option("--seed,-s", o.seed,
                "Seed of the parameters and of in-graph random numbers "
                "(default 0)")
      ->check(seed_value());
  t->add_option("--data-seed", o.data_seed,
                "Seed of the data order (default: --seed)")
      ->check(seed_value());
  t->add_option("--threads,-t", o.threads,
                "Threads for the kernels; 0 = one per core")
      ->check(at_least(0))
      ->capture_default_str();
  t->add_option("--out,-o", o.out,
                "Output directory (default runs/MODEL, or the directory of "
                "--resume)");
  t->add_option("--resume", o.resume,
                "Continue from this checkpoint (DIR/checkpoint.safetensors)");
  t->add_flag("--overwrite", o.overwrite,
              "Replace a checkpoint already in the output directory (else "
              "refused unless resuming it)");
  t->add_flag("--data-parallel", o.data_parallel,
              "Under mpirun: each process trains on its share of every "
              "batch, gradients averaged over MPI (a model built with "
              "DATA_PARALLEL; docs/training.md)");
  t->add_flag("--sync-batchnorm", o.sync_batchnorm,
              "With --data-parallel: BatchNorm's batch statistics over the "
              "whole global batch, summed over MPI (default: each "
              "process's own rows)");
  t->add_option("--log-every", o.log_every,
                "Steps per metrics line (and progress line when not on a "
                "terminal)")
      ->check(at_least(1))
      ->capture_default_str();
  t->add_option("--checkpoint-every", o.checkpoint_every,
                "Steps between checkpoints")
      ->check(at_least(1))
      ->capture_default_str();
  t->add_option("--data", o.data, kDataHelp);
  t->add_option("--lr", o.lr,
                "Learning rate of every trained entry point (default: each "
                "one's, from the model)")
      ->check(finite_number(0, true));
  t->add_option("--lr-schedule", o.lr_schedule,
                "constant (the default), or cosine: from the learning rate "
                "down to --min-lr at the last step. A resumed run keeps its "
                "checkpoint's schedule, rate, warmup and length")
      ->check(CLI::IsMember({"constant", "cosine"}));
  t->add_option("--warmup", o.warmup,
                "Steps of linear warmup: step i (from 1) uses i/N of the rate "
                "(default 0)")
      ->check(at_least(0));
  t->add_option("--min-lr", o.min_lr,
                "Final learning rate of --lr-schedule cosine (default 0)")
      ->check(finite_number(0, true));
  t->add_option("--weight-decay", o.weight_decay,
                "Weight decay of every trained entry point whose optimizer "
                "has one (default: each one's, from the model; `kiln info "
                "MODEL` shows it, ENTRY.weight_decay). Parameters the model "
                "excludes (no_decay) stay excluded")
      ->check(finite_number(0, true));
  t->add_option("--clip-grad-norm", o.clip_grad_norm,
                "Largest global norm of the gradients, > 0, for every "
                "trained entry point whose optimizer clips (default: each "
                "one's, from the model; ENTRY.clip_grad_norm)")
      ->check(finite_number(0, false));
}

// How a diffusion model is sampled (kiln sample, kiln eval --classifier).
void add_sampler_options(CLI::App *app, SamplerOptions &o, const char *when) {
  app->add_option("--sampler", o.sampler,
                  fmt::format("A diffusion model's sampler{}: ddim (the "
                              "default) or ddpm (all T steps)",
                              when))
      ->check(CLI::IsMember({"ddim", "ddpm"}));
  app->add_option("--steps", o.steps,
                  fmt::format("DDIM steps{} (default {})", when,
                              SamplerOptions::kDdimSteps))
      ->check(at_least(1));
  app->add_option("--eta", o.eta,
                  fmt::format("DDIM's eta in [0, 1]{} (default 0: "
                              "deterministic)",
                              when));
  app->add_option("--decoder", o.decoder,
                  fmt::format("A latent diffusion model's decoder{}: the "
                              "checkpoint of the model (a VAE) whose latents "
                              "it samples",
                              when));
}

void add_eval(CLI::App &app, ModelCommands &c) {
  EvalOptions &o = c.eval;
  CLI::App *e = c.eval_app = app.add_subcommand(
      "eval", "Loss terms or classifier accuracy over a data split; with "
              "--classifier, FID of the model's samples");
  e->footer(
      "Uses the model's first infer entry point from images to loss terms: "
      "the mean of its outputs\n(for the VAE, the negative ELBO in nats per "
      "image, one sample of z per image, with its\nreconstruction and KL "
      "terms); else its first from images to class logits (a classifier):\n"
      "accuracy, cross-entropy and accuracy per class.\n\n"
      "With --classifier CLS_CKPT: --n samples of the model's generation "
      "entry point (noise to\nimages) against the split's images: FID in "
      "the classifier's features space, and the share\nof each class the "
      "classifier predicts for the samples.");
  add_common(e, o.common, true);
  e->add_option("--entry", o.entry,
                "Entry point (default: the first from images to loss terms, "
                "else to logits; with\n--classifier: the first from noise to "
                "images)");
  e->add_option("--split", o.split, "train or test")->capture_default_str();
  e->add_option("--batch,-b", o.batch,
                "Images per call (the last call takes the rest)")
      ->check(at_least(1))
      ->capture_default_str();
  auto *classifier = e->add_option(
      "--classifier", o.classifier.checkpoint,
      "Checkpoint of a classifier: score the model's samples (FID, classes)");
  e->add_option("--classifier-model", o.classifier.model,
                "The classifier's model (entry points from images to "
                "features and to logits)")
      ->capture_default_str()
      ->needs(classifier);
  add_sampler_options(e, o.sampler, " (with --classifier)");
  e->add_option("--n,-n", o.n,
                "Samples to score with --classifier (default 10000); "
                "held-out pairs of a sequence task (default 1000)")
      ->check(at_least(2));
}

void add_sample(CLI::App &app, ModelCommands &c) {
  SampleOptions &o = c.sample;
  CLI::App *s = c.sample_app = app.add_subcommand(
      "sample", "Generate images from z ~ N(0, I) into a PNG grid");
  s->footer("The generation entry point is the model's first infer entry "
            "point from noise [batch, L]\n(and, for a conditional model, "
            "one-hot labels) to images, in the pixel range its output\n"
            "states. A conditional model's grid has one row per class, the "
            "same latents in every row\n(--cols of them, default 8), unless "
            "--label picks one class for all n images.\n--interpolate draws "
            "z0 and z1 and shows n images at evenly spaced points of the "
            "line\nbetween them, ends included (class --label, default 0).\n"
            "A diffusion model (infer entry points from images or latents "
            "and a timestep to the\nsame) runs its sampler's steps instead: "
            "--sampler, --steps, --eta; a latent one's\nsamples are decoded "
            "by --decoder (tools/kiln/diffusion.h, docs/training.md).");
  add_common(s, o.common, false);
  s->add_option("--entry", o.entry,
                "Entry point from noise [batch, L] to images (default: the "
                "model's first)");
  s->add_option("--n,-n", o.n, "Number of images")
      ->check(at_least(1))
      ->capture_default_str();
  s->add_option("--cols", o.cols,
                "Grid columns (default: about sqrt(n); n with --interpolate)")
      ->check(at_least(1));
  s->add_flag("--interpolate", o.interpolate,
              "Images along the line between two latents, in one row");
  s->add_option("--label", o.label,
                "A conditional model's class for every image (default: one "
                "row per class)");
  s->add_option("--out,-o", o.out, "PNG file to write")->required();
  add_sampler_options(s, o.sampler, "");
  s->add_option("--trajectory", o.trajectory,
                "A diffusion model: also write x_t of the first 8 samples at "
                "10 moments from x_T to x_0 to this PNG (a row per sample)");
  s->add_option("--batch,-b", o.batch, "A diffusion model's images per call")
      ->check(at_least(1))
      ->capture_default_str();
}

void add_reconstruct(CLI::App &app, ModelCommands &c) {
  ReconstructOptions &o = c.reconstruct;
  CLI::App *r = c.reconstruct_app = app.add_subcommand(
      "reconstruct", "A PNG of images next to their reconstructions");
  add_common(r, o.common, true);
  r->add_option("--entry", o.entry, "Entry point from images to images")
      ->capture_default_str();
  r->add_option("--split", o.split, "train or test")->capture_default_str();
  r->add_option("--n,-n", o.n, "Number of images (the split's first)")
      ->check(at_least(1))
      ->capture_default_str();
  r->add_option("--out,-o", o.out, "PNG file to write")->required();
}

void add_encode(CLI::App &app, ModelCommands &c) {
  EncodeOptions &o = c.encode;
  CLI::App *e = c.encode_app = app.add_subcommand(
      "encode", "Latents of every image of a split, to a safetensors file");
  add_common(e, o.common, true);
  e->add_option("--entry", o.entry, "Entry point from images to latents")
      ->capture_default_str();
  e->add_option("--split", o.split, "train or test")->capture_default_str();
  e->add_option("--batch,-b", o.batch, "Images per call")
      ->check(at_least(1))
      ->capture_default_str();
  e->add_option("--out,-o", o.out,
                "safetensors file: one tensor per output (mu, logvar) and "
                "labels")
      ->required();
}

void add_score(CLI::App &app, ModelCommands &c) {
  ScoreOptions &o = c.score;
  CLI::App *s = c.score_app = app.add_subcommand(
      "score", "Per-image scores (e.g. negative ELBO) as CSV; --ood compares "
               "with outliers");
  s->footer("--ood scores the split's images, their inversions (1 - x) and "
            "as many images of uniform\nnoise, and prints each group's mean "
            "score and its AUROC against the split (1 = always\nscored "
            "worse).");
  add_common(s, o.common, true);
  s->add_option("--entry", o.entry, "Entry point from images to [batch] scores")
      ->capture_default_str();
  auto *input = s->add_option(
      "--input", o.input,
      "safetensors file of images [N, pixels] in [0, 1] to score instead of "
      "a split");
  s->add_option("--tensor", o.tensor,
                "Tensor of --input (default: its only one, or 'x')")
      ->needs(input);
  s->add_option("--split", o.split, "train or test")->capture_default_str();
  s->add_flag("--ood", o.ood,
              "Also score inverted images and uniform noise; print means")
      ->excludes(input);
  s->add_option("--batch,-b", o.batch, "Images per call")
      ->check(at_least(1))
      ->capture_default_str();
  s->add_option("--out,-o", o.out,
                "CSV file (default: stdout; with --ood, no file)");
}

void add_fid(CLI::App &app, ModelCommands &c) {
  FidOptions &o = c.fid;
  CLI::App *f = c.fid_app = app.add_subcommand(
      "fid", "Fréchet distance between two image sets in a classifier's "
             "feature space");
  f->footer(
      "Each set is one of:\n"
      "  test, train            a Fashion-MNIST split\n"
      "  test[:N], train[:N]    its first N images\n"
      "  FILE.safetensors       images [N, 784] or [N, 1, 28, 28] in [0, 1] "
      "(its only tensor, or x)\n"
      "  DIR, FILE.npy, ...     every image of any other --data source (a "
      "folder of PNG\n"
      "                         images, a .npy or IDX file, IMAGES,LABELS)\n"
      "  model:CKPT             --n samples of the model the checkpoint "
      "belongs to (its first\n"
      "                         entry point from noise to images; latents "
      "from --seed;\n"
      "                         a diffusion model's by DDIM in 50 steps)\n"
      "  NAME:CKPT              the same, naming the model\n"
      "FID is biased upward for small sets: compare values computed with "
      "the same set sizes.");
  f->add_option("A B", o.sets, "The two image sets")->expected(0, -1);
  f->add_option("--classifier", o.classifier.checkpoint,
                "Checkpoint of the classifier whose features are compared")
      ->required();
  f->add_option("--classifier-model", o.classifier.model,
                "The classifier's model (entry points features and logits)")
      ->capture_default_str();
  f->add_option("--n,-n", o.n, "Samples drawn from a model set")
      ->check(at_least(2))
      ->capture_default_str();
  f->add_option("--seed,-s", o.seed, "Seed of the sessions and the latents")
      ->check(seed_value())
      ->capture_default_str();
  f->add_option("--threads,-t", o.threads,
                "Threads for the kernels; 0 = one per core")
      ->check(at_least(0))
      ->capture_default_str();
  f->add_option("--batch,-b", o.batch, "Images per call")
      ->check(at_least(1))
      ->capture_default_str();
  f->add_option("--data", o.data, kDataHelp);
}

void add_generate(CLI::App &app, ModelCommands &c) {
  GenerateOptions &o = c.generate;
  CLI::App *g = c.generate_app = app.add_subcommand(
      "generate", "Text from a language model, streamed as it is sampled");
  g->footer(
      "Runs the model's prefill entry point on the prompt (its bytes, any "
      "values; a prompt longer\nthan the model's window keeps its last "
      "window; an empty prompt starts after a newline)\nand then its decode "
      "step once per byte, with the KV cache kept in the model. When the\n"
      "window is full the cache is rebuilt from its last half. Each byte is "
      "drawn from the\nsoftmax of logits / temperature over the top-k "
      "bytes, then the smallest set of them whose\nprobability reaches "
      "top-p; --temperature 0 is greedy (the most likely byte). The same "
      "--seed\ngives the same text. The text goes to stdout, the report to "
      "stderr.\n\nAn encoder-decoder (seq2seq) takes --input instead: its "
      "output, decoded from BOS until\nEOS with the same sampling rules "
      "(--temperature 0 for greedy), is printed.");
  add_common(g, o.common, false);
  g->add_option("--prompt,-p", o.prompt, "The text to continue");
  g->add_option("--input,-i", o.input,
                "An encoder-decoder's input (its output is printed; "
                "--tokens does not apply)");
  g->add_option("--tokens,-n", o.tokens, "Bytes to generate")
      ->check(at_least(1))
      ->capture_default_str();
  g->add_option("--temperature", o.temperature,
                "Softmax temperature; 0 = greedy")
      ->capture_default_str();
  g->add_option("--top-k", o.top_k,
                "Sample among the k most likely bytes; 0 = all")
      ->capture_default_str();
  g->add_option("--top-p", o.top_p,
                "Sample among the fewest most likely bytes whose "
                "probability reaches p, in (0, 1]")
      ->capture_default_str();
  g->add_flag("!--no-echo", o.echo, "Do not print the prompt first");
  g->add_flag("--recompute", o.recompute,
              "No KV cache: run the whole window for every byte (slow; the "
              "reference the cache must match)");
  g->add_flag("--quiet,-q", o.quiet, "No report on stderr");
}

} // namespace

CLI::Validator at_least(long long lowest) {
  const std::string name = lowest == 0 ? "NONNEGATIVE" : "POSITIVE";
  return CLI::Validator(
      [lowest](std::string &value) -> std::string {
        long long n = 0;
        if (CLI::detail::lexical_cast(value, n) && n >= lowest)
          return {};
        return "value " + value +
               " is not an integer >= " + std::to_string(lowest);
      },
      name, name);
}

// CLI11's NonNegativeNumber lets "nan" through (every comparison with it is
// false), and a NaN rate or decay would train into NaN weights.
CLI::Validator finite_number(double bound, bool or_equal) {
  const char *name = or_equal ? "NONNEGATIVE" : "POSITIVE";
  return CLI::Validator(
      [bound, or_equal](std::string &value) -> std::string {
        double x = 0;
        if (CLI::detail::lexical_cast(value, x) && std::isfinite(x) &&
            (or_equal ? x >= bound : x > bound))
          return {};
        return fmt::format("value {} is not a finite number {} {}", value,
                           or_equal ? ">=" : ">", bound);
      },
      name, name);
}

CLI::Validator seed_value() {
  return CLI::Validator(
      [](std::string &value) -> std::string {
        uint64_t n = 0;
        const char *end = value.data() + value.size();
        const auto [ptr, ec] = std::from_chars(value.data(), end, n);
        if (!value.empty() && ec == std::errc() && ptr == end)
          return {};
        return "value " + value + " is not a seed: an integer from 0 to " +
               std::to_string(UINT64_MAX);
      },
      "SEED", "SEED");
}

void refuse_empty_values(CLI::App &app,
                         std::initializer_list<std::string> may_be_empty) {
  for (CLI::Option *option : app.get_options()) {
    if (option->get_type_size_min() == 0 || // a flag
        std::ranges::find(may_be_empty, option->get_name()) !=
            may_be_empty.end())
      continue;
    option->check(CLI::Validator(
        [](std::string &value) -> std::string {
          return value.empty() ? "an empty value is no value: leave the "
                                 "option out for its default"
                               : std::string();
        },
        "", "NONEMPTY"));
  }
  for (CLI::App *sub : app.get_subcommands({}))
    refuse_empty_values(*sub, may_be_empty);
}

void add_model_commands(CLI::App &app, ModelCommands &c) {
  add_train(app, c);
  add_eval(app, c);
  add_sample(app, c);
  add_reconstruct(app, c);
  add_encode(app, c);
  add_score(app, c);
  add_fid(app, c);
  add_generate(app, c);
}

std::optional<int> run_model_commands(const ModelCommands &c, std::ostream &out,
                                      std::ostream &err) {
  if (*c.train_app)
    return train_command(c.train, out, err);
  if (*c.eval_app)
    return eval_command(c.eval, out, err);
  if (*c.sample_app)
    return sample_command(c.sample, out, err);
  if (*c.reconstruct_app)
    return reconstruct_command(c.reconstruct, out);
  if (*c.encode_app)
    return encode_command(c.encode, out);
  if (*c.score_app)
    return score_command(c.score, out);
  if (*c.fid_app)
    return fid_command(c.fid, out, err);
  if (*c.generate_app)
    return generate_command(c.generate, out, err);
  return std::nullopt;
}

} // namespace kiln::cli
