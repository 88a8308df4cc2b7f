-- bench/run.sh's wrk script. BODY_FILE is the request body; TARGET_PATH the
-- path. With VARY set, every request replaces __N__ (in the path and the
-- body) with a fresh value and __ORG__ with the next of ORGS (comma-separated).
local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
local body = f:read("*a")
f:close()
local path = os.getenv("TARGET_PATH")
local vary = os.getenv("VARY") ~= nil
local orgs = {}
for o in string.gmatch(os.getenv("ORGS") or "", "[^,]+") do orgs[#orgs + 1] = o end
local n = 0
math.randomseed(os.time())
local seed = tostring(math.random(1, 1000000000))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SESSION")

function request()
  if not vary then
    return wrk.format(nil, path, nil, body)
  end
  n = n + 1
  local v = seed .. "-" .. n
  local org = orgs[(n % #orgs) + 1]
  local p = string.gsub(string.gsub(path, "__N__", v), "__ORG__", org)
  local b = string.gsub(string.gsub(body, "__N__", v), "__ORG__", org)
  return wrk.format(nil, p, nil, b)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
