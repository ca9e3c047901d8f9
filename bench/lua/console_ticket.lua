-- GET /console/requests/{code}: one ticket of the clerk's department in the console.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local cookie = os.getenv("BENCH_COOKIE")
local codes = {}
for line in io.lines(os.getenv("BENCH_TICKETS")) do codes[#codes + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/console/requests/" .. codes[math.random(#codes)],
    {["Cookie"] = cookie})
end
