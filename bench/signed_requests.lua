-- wrk script of bench/bench_emulator.py: replays pre-signed requests and checks every answer's envelope.
--
-- Usage: wrk -tN ... URL -s bench/signed_requests.lua [-- REQUESTS_FILE N]
-- Without REQUESTS_FILE every request is wrk's own (the signed GET in URL). With it, each line of the file is
-- "PATH_AND_QUERY<TAB>FORM_BODY", a complete signed POST; wrk thread i of n sends lines i, i+n, i+2n, ... once
-- each, so every merchantTradeNo goes out once. Running out of lines is reported as "exhausted" (the Python
-- side sizes the file so that it cannot happen) rather than silently repeating requests.
-- Every response is checked: an HTTP status other than 200, or a body whose envelope code is not 0 (C-Pay
-- reports business errors in an HTTP 200), counts as "bad". done() prints one JSON line for the Python side.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  bad = 0
  exhausted = 0
  sample = ""
  requests = nil
  local path = args[1]
  if path == nil then
    return
  end
  requests = {}
  local step = tonumber(args[2] or "1")
  local index = 0
  for line in io.lines(path) do
    if index % step == (id - 1) % step then
      local tab = line:find("\t", 1, true)
      requests[#requests + 1] = wrk.format(
        "POST",
        line:sub(1, tab - 1),
        { ["Content-Type"] = "application/x-www-form-urlencoded" },
        line:sub(tab + 1)
      )
    end
    index = index + 1
  end
  position = 0
end

function request()
  if requests == nil then
    return wrk.request()
  end
  position = position + 1
  if position > #requests then
    exhausted = exhausted + 1
    position = 1
  end
  return requests[position]
end

function response(status, headers, body)
  if status ~= 200 or not body:find('"code":0,', 1, true) then
    bad = bad + 1
    if sample == "" then
      sample = tostring(status) .. " " .. body:sub(1, 200)
    end
  end
end

local function quote(text)
  return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests_)
  local bad_total, exhausted_total, first_sample = 0, 0, ""
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    exhausted_total = exhausted_total + thread:get("exhausted")
    if first_sample == "" then
      first_sample = thread:get("sample")
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"http_errors":%d,'
      .. '"bad":%d,"exhausted":%d,"sample":%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status,
    bad_total, exhausted_total, quote(first_sample)
  ))
end
