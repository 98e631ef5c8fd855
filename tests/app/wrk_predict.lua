-- wrk script for POST /v1/predict of `kerascpp serve` (tests/app/load_test.sh).
--   wrk -cC ... -s wrk_predict.lua URL -- good C      single-image JSON predictions only
--   wrk -cC ... -s wrk_predict.lua URL -- mixed C N   one malformed request in every N
-- (C: the connections, as given to wrk: requests still in flight at the end get no answer).
-- Every answer is checked: a good request must get 200 with "predictions", a bad one a 4xx
-- with a JSON "error". done() prints the counts and the latency percentiles, and exits 1 on
-- any unexpected answer.

local threads = {}

-- A digit-like 28x28 image: a ring of ink with anti-aliased edges, values in [0, 1].
local function instance()
  local v = {}
  for y = 0, 27 do
    for x = 0, 27 do
      local r = math.sqrt((x - 13.5) ^ 2 / 36 + (y - 13.5) ^ 2 / 81)
      local ink = math.max(0, 1 - math.abs(r - 1) * 4)
      v[#v + 1] = ink > 0 and string.format("%.4f", ink) or "0"
    end
  end
  return "[" .. table.concat(v, ",") .. "]"
end

local good_body = '{"instances": [' .. instance() .. ']}'
local json = { ["Content-Type"] = "application/json" }
local bad = {
  { "POST", "/v1/predict", json, '{"instances": [[0.1, 0.2' },                          -- malformed JSON
  { "POST", "/v1/predict", json, '{"instances": [[NaN]]}' },                           -- NaN
  { "POST", "/v1/predict", json, '{"instances": [[0.5, 0.5, 0.5]]}' },                 -- wrong shape
  { "POST", "/v1/predict", json, '{"instances": [' .. instance():gsub("0%.", "2.") .. ']}' },  -- out of [0, 1]
  { "POST", "/v1/predict", { ["Content-Type"] = "text/plain" }, good_body },           -- wrong type
  { "POST", "/v1/predict", json, string.rep(" ", 100 * 1024) },                        -- oversized
  { "GET", "/v1/predict", {}, nil },                                                   -- wrong method
  { "GET", "/v1/nothing", {}, nil },                                                   -- unknown path
}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "good"
  connections = tonumber(args[2] or "64")
  every = tonumber(args[3] or "5")
  sent_good, sent_bad, ok, rejected, unexpected, n = 0, 0, 0, 0, 0, 0
end

function request()
  n = n + 1
  if mode == "mixed" and n % every == 0 then
    sent_bad = sent_bad + 1
    local b = bad[(n / every) % #bad + 1]
    return wrk.format(b[1], b[2], b[3], b[4])
  end
  sent_good = sent_good + 1
  return wrk.format("POST", "/v1/predict", json, good_body)
end

function response(status, headers, body)
  if status == 200 and body:find('"predictions"', 1, true) then
    ok = ok + 1
  elseif status >= 400 and status < 500 and body:find('"error"', 1, true) then
    rejected = rejected + 1
  else
    unexpected = unexpected + 1
    if unexpected <= 3 then print("unexpected answer " .. status .. ": " .. body:sub(1, 200)) end
  end
end

function done(summary, latency, requests)
  local t = { sent_good = 0, sent_bad = 0, ok = 0, rejected = 0, unexpected = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("requests: %d in %.1f s = %.0f/s; good sent %d, answered 200: %d; bad sent %d, answered 4xx: %d; unexpected: %d; socket errors: %d\n",
    summary.requests, seconds, summary.requests / seconds, t.sent_good, t.ok, t.sent_bad, t.rejected, t.unexpected, errors))
  io.write(string.format("latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  -- Requests in flight when wrk stops get no answer: a few per connection. A request the
  -- server dropped shows up as a socket error.
  local slack = 2 * threads[1]:get("connections")
  local failed = t.unexpected > 0 or errors > 0 or t.rejected > t.sent_bad or t.ok + slack < t.sent_good
  if failed then
    io.write("FAILED: a good request did not get its prediction, or a bad one got no 4xx\n")
    os.exit(1)
  end
end
