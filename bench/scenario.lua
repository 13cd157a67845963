-- wrk script for bench/stack.py: one scenario per run, chosen by environment.
--   BENCH_SCENARIO  get | post | code_get | code_post
--   BENCH_PATH      the path (for code_get: a prefix the code is appended to)
--   BENCH_BODY      a file whose content is the body (post), or a body template
--                   in which @CODE@ is replaced by the code (code_post)
--   BENCH_CODES     a file of codes, one a line, used in turn (code_*)
--   BENCH_PASSWORD  sent as X-Password when set
--   BENCH_HOST      the Host header (the site's name; wrk dials 127.0.0.1)
-- done() prints one line "BENCH_JSON {...}" with the figures stack.py reads.
-- Fixed requests (get, post) are built once, so wrk sends them without Lua;
-- response() runs for every answer either way, to count statuses exactly.

local scenario = os.getenv("BENCH_SCENARIO") or "get"
local path = os.getenv("BENCH_PATH") or "/"
local password = os.getenv("BENCH_PASSWORD")

local function slurp(name)
  local file = assert(io.open(name, "rb"))
  local content = file:read("*a")
  file:close()
  return content
end

wrk.headers["Host"] = os.getenv("BENCH_HOST")
if password then wrk.headers["X-Password"] = password end
if scenario == "post" or scenario == "code_post" then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
if scenario == "post" then
  wrk.body = slurp(os.getenv("BENCH_BODY"))
end
wrk.path = path

local codes, template = {}, nil
if scenario == "code_get" or scenario == "code_post" then
  for line in io.lines(os.getenv("BENCH_CODES")) do
    if #line > 0 then codes[#codes + 1] = line end
  end
  if scenario == "code_post" then template = slurp(os.getenv("BENCH_BODY")) end
end

local threads = {}
local counter = 0

function setup(thread)
  -- Each thread starts at its own place in the list, so threads spread over codes.
  thread:set("start", #threads * 7919)
  threads[#threads + 1] = thread
end

function init(args)
  counter = start or 0
  statuses = {}
end

if #codes > 0 then
  function request()
    counter = counter + 1
    local code = codes[counter % #codes + 1]
    if template then
      return wrk.format(nil, path, nil, (template:gsub("@CODE@", code)))
    end
    return wrk.format(nil, path .. code)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counted[status] = (counted[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counted) do
    parts[#parts + 1] = string.format('"%d": %d', status, count)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors.connect + errors.read + errors.write + errors.timeout,
    table.concat(parts, ", ")))
end
