-- GET /healthz: the app's cheapest route, the per-request floor of the framework stack.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
request = function()
  return wrk.format("GET", "/healthz")
end
