-- Merge many ids into one existing list in one pass. KEYS[1]: the list.
-- ARGV[1]: the cap; ARGV[2..]: ids, newest first. Keeps order and uniqueness, the end
-- mark of a complete list, and the TTL. Into a capped list, ids older than its last
-- entry are not merged (what lies between is not cached either).
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return 0 end
local cap = tonumber(ARGV[1])

local items = redis.call('LRANGE', key, 0, -1)
local complete = items[#items] == '0'
if complete then items[#items] = nil end
local tail = items[#items]

local out = {}
local i, j = 1, 2
while i <= #items or j <= #ARGV do
  local a, b = items[i], ARGV[j]
  local pick
  if b == nil or (a ~= nil and newer(a, b)) then
    pick = a; i = i + 1
  elseif a == nil or newer(b, a) then
    pick = b; j = j + 1
    if not complete and tail ~= nil and newer(tail, pick) then pick = nil end
  else
    pick = a; i = i + 1; j = j + 1
  end
  if pick ~= nil and pick ~= out[#out] then out[#out + 1] = pick end
end

local added = #out - #items
if added == 0 then return 0 end
if #out >= cap then
  -- A full list cannot vouch that nothing older exists.
  for k = #out, cap + 1, -1 do out[k] = nil end
  complete = false
end
if complete then out[#out + 1] = '0' end
local ttl = redis.call('PTTL', key)
redis.call('DEL', key)
for k = 1, #out, 1000 do
  redis.call('RPUSH', key, unpack(out, k, math.min(k + 999, #out)))
end
if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
return added
