-- Remove ids from timeline lists. KEYS: the lists. ARGV: the ids.
-- One pass per list: the kept entries are written back in order, with the list's TTL.
if #ARGV == 1 then
  local removed = 0
  for _, key in ipairs(KEYS) do removed = removed + redis.call('LREM', key, 0, ARGV[1]) end
  return removed
end

local drop = {}
for i = 1, #ARGV do drop[ARGV[i]] = true end

local removed = 0
for _, key in ipairs(KEYS) do
  local items = redis.call('LRANGE', key, 0, -1)
  local kept = {}
  for i = 1, #items do
    if not drop[items[i]] then kept[#kept + 1] = items[i] end
  end
  if #kept < #items then
    removed = removed + #items - #kept
    local ttl = redis.call('PTTL', key)
    redis.call('DEL', key)
    for i = 1, #kept, 1000 do
      redis.call('RPUSH', key, unpack(kept, i, math.min(i + 999, #kept)))
    end
    if #kept > 0 and ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  end
end
return removed
