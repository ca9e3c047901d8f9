-- GET /api/v1/triage/requests: a clerk's queue, newest first, page of 50 (BENCH_TOKEN).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local auth = "Bearer " .. os.getenv("BENCH_TOKEN")
request = function()
  return wrk.format("GET", "/api/v1/triage/requests?limit=50", {["Authorization"] = auth})
end
