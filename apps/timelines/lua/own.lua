-- The viewer's own part of a page on a Redis Cluster, in one single-slot call: a list
-- and, for a home, its state set (both under the owner's hash tag).
-- KEYS[1]: the list; KEYS[2] (a home only): its state set.
-- ARGV[1]: how many entries to return from the head (-1: all); ARGV[2]: TTL to refresh on
-- both keys (0 = none).
-- Returns {status, tail, state members, entries}: status 'miss' when the list does not
-- exist or the state set is not loaded (its member '0'), else 'ok'.
local tail = redis.call('LINDEX', KEYS[1], -1)
if not tail then return {'miss', '', {}, {}} end
local members = {}
if KEYS[2] then
  if redis.call('SISMEMBER', KEYS[2], '0') == 0 then return {'miss', '', {}, {}} end
  members = redis.call('SMEMBERS', KEYS[2])
end
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  if KEYS[2] then redis.call('EXPIRE', KEYS[2], ttl) end
end
local count = tonumber(ARGV[1])
return {'ok', tail, members, redis.call('LRANGE', KEYS[1], 0, count < 0 and -1 or count - 1)}
