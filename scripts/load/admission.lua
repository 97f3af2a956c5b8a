-- wrk script: POST one AdmissionReview (or any JSON file) on every request.
-- usage: wrk -t2 -c64 -d20s --latency -s scripts/load/admission.lua \
--          https://127.0.0.1:8443/validate -- tests/fixtures/admission/gpu-pod-create.json
-- An optional second argument paces each connection: wait that many milliseconds after
-- each response (10 connections x 10 ms ~= 1,000 req/s), for latency at a fixed rate.
local bodyFile = nil
local pauseMs = 0

function init(args)
  bodyFile = args[1] or "tests/fixtures/admission/gpu-pod-create.json"
  pauseMs = tonumber(args[2] or "0")
  local f = assert(io.open(bodyFile, "rb"), "cannot open " .. bodyFile)
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end

function delay()
  return pauseMs
end

-- wrk counts only socket errors; count non-2xx answers so a broken run is visible.
local bad = 0
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
