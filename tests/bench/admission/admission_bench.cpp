// Decode / handle / encode cost of a realistic GPU pod AdmissionReview
// (tests/fixtures/admission/gpu-pod-create.json). Run by hand: bin/bench_admission.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "webhook/admission/pipeline.h"
#include "webhook/admission/review_encode.h"
#include "webhook/admission/review_service.h"

namespace migwarden::admission {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(MIGWARDEN_SOURCE_DIR) + "/tests/fixtures/admission/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& gpuPodReview() {
  static const std::string body = fixture("gpu-pod-create.json");
  return body;
}

void BM_DecodeReview(benchmark::State& state) {
  for (auto _ : state) {
    Result<AdmissionReview> r = decodeAdmissionReview(gpuPodReview());
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * gpuPodReview().size()));
}
BENCHMARK(BM_DecodeReview);

void BM_DecodeReviewAndPod(benchmark::State& state) {
  for (auto _ : state) {
    Result<AdmissionReview> r = decodeAdmissionReview(gpuPodReview());
    ReviewContext context(*r, Endpoint::kValidate);
    Result<const Pod*> pod = context.pod();
    benchmark::DoNotOptimize(pod);
  }
}
BENCHMARK(BM_DecodeReviewAndPod);

void BM_EncodeWithPatchAndWarnings(benchmark::State& state) {
  Result<AdmissionReview> r = decodeAdmissionReview(gpuPodReview());
  Decision d;
  (void)d.patch.setString(*r->request.object, JsonPointer::of({"metadata", "annotations"}), "migwarden.io/profile",
                          "1g.10gb");
  d.warn("container \"train\" requests nvidia.com/mig-1g.10gb; CUDA 12.4 is supported on this profile");
  d.annotate("profile", "1g.10gb");
  for (auto _ : state) {
    std::string out = encodeAdmissionResponse(r->version, Endpoint::kMutate, r->request.uid, d);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EncodeWithPatchAndWarnings);

// What the server pays per /validate request: HTTP checks, decode, (empty) pipeline,
// encode and metrics.
void BM_HandleValidate(benchmark::State& state) {
  MetricsRegistry metrics;
  std::unique_ptr<AdmissionService> service = makeReviewService({&metrics});
  HttpRequest request;
  request.method = "POST";
  request.path = "/validate";
  request.headers.emplace_back("content-type", "application/json");
  request.body = gpuPodReview();
  for (auto _ : state) {
    AdmissionResult result = service->handle(Endpoint::kValidate, request);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_HandleValidate);

}  // namespace
}  // namespace migwarden::admission

namespace migwarden::admission {
namespace {
// Baseline: RapidJSON parse alone, to separate parsing from our decoding.
void BM_RapidJsonParseOnly(benchmark::State& state) {
  for (auto _ : state) {
    rapidjson::Document doc;
    doc.Parse(gpuPodReview().data(), gpuPodReview().size());
    benchmark::DoNotOptimize(doc);
  }
}
BENCHMARK(BM_RapidJsonParseOnly);
}  // namespace
}  // namespace migwarden::admission
