-- Insert one tweet id into many timeline lists, newest first, idempotently and in order.
-- KEYS: the lists. ARGV[1]: the id (decimal string). ARGV[2]: the cap.
-- Only lists that exist are touched (a missing list is rebuilt when it is next read).
-- An id already present is not added again; an older id lands in its place; an id older
-- than every entry of a full list does not belong in the cache and is dropped.
-- The entry '0' marks a complete list (nothing older exists) and sorts last.
local id = ARGV[1]
local cap = tonumber(ARGV[2])

-- LPUSH and LINSERT return the list's new length, which decides the trim.
local added = 0
for _, key in ipairs(KEYS) do
  local head = redis.call('LINDEX', key, 0)
  if head then
    local length = 0
    if newer(id, head) then
      length = redis.call('LPUSH', key, id)
      added = added + 1
    elseif id ~= head and not redis.call('LPOS', key, id) then
      local items = redis.call('LRANGE', key, 0, -1)
      for i = 2, #items do
        if newer(id, items[i]) then
          length = redis.call('LINSERT', key, 'BEFORE', items[i], id)
          added = added + 1
          break
        end
      end
    end
    if length > cap then
      redis.call('LTRIM', key, 0, cap - 1)
    end
  end
end
return added
