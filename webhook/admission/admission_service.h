// The boundary between the HTTP server and admission: the server routes
// POST /mutate and POST /validate here and knows nothing about AdmissionReview.
#pragma once

#include <string>

#include "webhook/common/http_message.h"

namespace migwarden::admission {

enum class Endpoint { kMutate, kValidate };

struct AdmissionResult {
  HttpResponse http;     // 200 with an AdmissionReview, or a 4xx with a JSON error body
  std::string decision;  // metrics label: "allowed", "denied" or "invalid" (a 4xx)
};

// Implementations are thread-safe: the server calls handle() from every worker thread.
class AdmissionService {
 public:
  virtual ~AdmissionService() = default;
  virtual AdmissionResult handle(Endpoint endpoint, const HttpRequest& request) = 0;
};

}  // namespace migwarden::admission
