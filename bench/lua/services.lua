-- GET /api/v1/services: the catalogue, in one of the three languages.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local langs = {"fr", "ar", "en"}
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/services", {["Accept-Language"] = langs[math.random(3)]})
end
