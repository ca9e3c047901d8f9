-- GET /api/v1/triage/requests/{code}: one ticket of the clerk's department in full.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local auth = "Bearer " .. os.getenv("BENCH_TOKEN")
local codes = {}
for line in io.lines(os.getenv("BENCH_TICKETS")) do codes[#codes + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/triage/requests/" .. codes[math.random(#codes)],
    {["Authorization"] = auth})
end
