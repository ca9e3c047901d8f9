-- POST /api/v1/requests: a pothole at a random point downtown, from a random mobile
-- number (0610-0619: always a valid mobile; a new contact, a receipt in the outbox).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
math.randomseed(os.time() + os.clock() * 1e6)
request = function()
  local lat = 33.585 + math.random() * 0.01
  local long = -7.625 + math.random() * 0.01
  local body = string.format(
    '{"service_code": "nid-de-poule", "lat": %.6f, "long": %.6f, "description": "bench", ' ..
    '"phone": "061%07d"}', lat, long, math.random(0, 9999999))
  return wrk.format("POST", "/api/v1/requests", {["Content-Type"] = "application/json"}, body)
end
