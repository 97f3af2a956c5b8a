// The health port's routes: GET /healthz (process alive), GET /readyz (Readiness),
// GET /metrics (Prometheus text format 0.0.4).
#pragma once

#include "webhook/common/metrics.h"
#include "webhook/server/readiness.h"
#include "webhook/server/router.h"

namespace migwarden::server {

// `readiness` and `metrics` must outlive the router.
void addHealthRoutes(Router& router, const Readiness& readiness, const MetricsRegistry& metrics);

}  // namespace migwarden::server
