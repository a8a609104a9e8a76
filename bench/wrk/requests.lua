-- Replays a file of requests round-robin, one file line per request, and
-- prints a JSON summary with the percentiles wrk's own report leaves out.
--
-- Arguments after `--`: REQUESTS_FILE NONCE
--   REQUESTS_FILE  lines of METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY; TOKEN "-" sends
--                  no Authorization header; "{event_id}" in BODY becomes a
--                  fresh UUID per request, so the idempotency cache never
--                  answers instead of the decision path.
--   NONCE          8 hex digits, different for every run, inside every UUID.
-- Environment: WRK_MEAN_DELAY_MS, when > 0, makes each connection wait an
-- exponentially distributed pause of that mean before each request: a paced
-- load of about connections / (latency + delay).
-- Known limit: pacing is closed-loop, so a stalled server slows the offered
-- load instead of queueing it (coordinated omission); p99 reads optimistic.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local requests = {}
local cursor = 0
local counter = 0
local nonce = "00000000"
local mean_delay = tonumber(os.getenv("WRK_MEAN_DELAY_MS") or "0") or 0

local function split_tabs(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local path = args[1]
  nonce = args[2] or nonce
  math.randomseed(tid * 7919 + os.time())

  local file = assert(io.open(path, "r"), "cannot read requests file " .. tostring(path))
  for line in file:lines() do
    if line ~= "" then
      local f = split_tabs(line)
      local headers = { ["Content-Type"] = "application/json" }
      if f[3] ~= "-" then
        headers["Authorization"] = "Bearer " .. f[3]
      end
      table.insert(requests, { method = f[1], path = f[2], headers = headers, body = f[4] or "" })
    end
  end
  file:close()
  assert(#requests > 0, "requests file " .. path .. " has no requests")
  -- Threads start at different offsets so they do not replay in lockstep.
  cursor = (tid * 9973) % #requests
end

local function event_id()
  counter = counter + 1
  return string.format("%s-%04x-4%03x-8%03x-%012x",
    nonce, tid % 0x10000, math.random(0, 0xfff), math.random(0, 0xfff), counter)
end

function request()
  cursor = cursor % #requests + 1
  local r = requests[cursor]
  local body = nil
  if r.body ~= "" then
    body = r.body:gsub("{event_id}", event_id())
  end
  return wrk.format(r.method, r.path, r.headers, body)
end

if mean_delay > 0 then
  function delay()
    -- math.random() may return 0; 1 - u keeps the logarithm finite.
    return math.floor(-math.log(1 - math.random()) * mean_delay)
  end
end

statuses = {}

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests_)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses") or {}
    for status, n in pairs(counts) do
      merged[status] = (merged[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end

  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"min": %d, "mean": %.1f, "stdev": %.1f, "max": %d, ' ..
    '"p50": %d, "p75": %d, "p90": %d, "p95": %d, "p99": %d, "p999": %d}, ' ..
    '"statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency:percentile(99.9),
    table.concat(parts, ", ")))
end
