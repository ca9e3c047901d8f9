-- GET /console/: a clerk's queue in the console (HTML), signed in (BENCH_COOKIE).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local cookie = os.getenv("BENCH_COOKIE")
request = function()
  return wrk.format("GET", "/console/", {["Cookie"] = cookie})
end
