-- GET /api/v1/requests/{code}: codes drawn from the stored reports (BENCH_CODES file).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local codes = {}
for line in io.lines(os.getenv("BENCH_CODES")) do codes[#codes + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/requests/" .. codes[math.random(#codes)])
end
