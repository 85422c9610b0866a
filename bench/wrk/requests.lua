-- wrk script: requests spread over a file of "<user id> <token>" lines.
-- Environment: BENCH_USERS (the file), BENCH_MODE ("token": GET BENCH_PATH with a bearer
-- token; "query": GET BENCH_PATH?u=<id>; "mixed": 90% home reads, 10% tweets; "once":
-- each user once, then the thread stops; "write": POST a tweet with a bearer token;
-- "write_query": POST a tweet to BENCH_PATH?u=<id>), BENCH_PATH; BENCH_CLIENT_API, when set,
-- is sent as X-Client-API (the gateway's mark of the Mastodon-compatible origin).
local users = {}
local mode = os.getenv("BENCH_MODE") or "token"
local path = os.getenv("BENCH_PATH") or "/api/v1/timelines/home"
local step = tonumber(os.getenv("BENCH_THREADS") or "2")
local counter = 0
local created = 0
local client_api = os.getenv("BENCH_CLIENT_API")

for line in io.lines(os.getenv("BENCH_USERS")) do
  local id, token = line:match("^(%d+) (%S+)$")
  if id then users[#users + 1] = {id = id, token = token} end
end

function setup(thread)
  created = created + 1
  thread:set("id", created)
end

function init(args)
  math.randomseed(os.time() + (id or 0) * 7919)
  position = id or 1
end

-- "once": thread k takes users k, k + step, k + 2 step, ... and stops after its last.
local function pick()
  if mode == "once" then
    local user = users[position]
    position = position + step
    return user
  end
  return users[math.random(#users)]
end

function request()
  local user = pick()
  if user == nil then
    wrk.thread:stop()
    return wrk.format("GET", "/health/live")
  end
  if mode == "query" then
    return wrk.format("GET", path .. "?u=" .. user.id)
  end
  if mode == "write_query" then
    counter = counter + 1
    return wrk.format("POST", path .. "?u=" .. user.id, {["Content-Type"] = "application/json"},
      '{"text": "bench write ' .. counter .. '"}')
  end
  local headers = {["Authorization"] = "Bearer " .. user.token}
  if client_api then headers["X-Client-API"] = client_api end
  if mode == "mixed" and math.random(10) == 1 then
    headers["Content-Type"] = "application/json"
    counter = counter + 1
    return wrk.format("POST", "/api/v1/tweets", headers, '{"text": "bench tweet ' .. counter .. '"}')
  end
  if mode == "write" then
    headers["Content-Type"] = "application/json"
    counter = counter + 1
    return wrk.format("POST", "/api/v1/tweets", headers, '{"text": "bench write ' .. counter .. '"}')
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "status_errors": %d, '
    .. '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000))
end
