-- GET /api/v1/requests: the newest page of 50, no filter (what a first visit shows).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local langs = {"fr", "ar", "en"}
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/requests?limit=50&lang=" .. langs[math.random(3)])
end
