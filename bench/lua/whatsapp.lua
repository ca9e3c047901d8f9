-- POST /webhooks/twilio/inbound: a resident's first WhatsApp message of a report, signed
-- as Twilio signs it, each from a new number with a new MessageSid (bench/fixtures.py
-- wrote them to BENCH_WA_FILE; this run starts at line BENCH_WA_START so no message is
-- sent twice to a server).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local bodies, signatures = {}, {}
local start = tonumber(os.getenv("BENCH_WA_START"))
local n = 0
for line in io.lines(os.getenv("BENCH_WA_FILE")) do
  n = n + 1
  if n > start then
    local body, signature = line:match("([^\t]*)\t(.*)")
    bodies[#bodies + 1], signatures[#signatures + 1] = body, signature
  end
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/webhooks/twilio/inbound", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = signatures[(i - 1) % #signatures + 1],
  }, bodies[(i - 1) % #bodies + 1])
end
