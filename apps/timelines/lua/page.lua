-- One page of a timeline: the list KEYS[1] merged with the user timelines of the authors
-- in set KEYS[2] (followed celebrities), filtered and with each tweet's cached value.
-- KEYS[3]: authors hidden from this viewer (just unfollowed). KEYS[4]: suspended users.
-- ARGV: max_id ('' = none), lower bound ('' = none), limit, ascending ('1'/'0'),
--       user timeline key prefix, tweet key prefix, TTL to refresh on KEYS[1] (0 = none),
--       author card key prefix.
-- Returns {status, boundary, missing_celebrity, id1, value1, card1, id2, value2, card2, ...}:
--   status 'miss': KEYS[1] does not exist (rebuild it);
--   status 'celebrity': a merged user timeline is missing (its author id is returned);
--   status 'db': the page lies below what the cache holds (read it from the database);
--   boundary: ids at or below it may be missing from the cache ('' = the cache is whole);
--   value '' means the tweet is not cached (hydrate it from the database); card '' means
--   its author's card is not cached.
local max_id, lower = ARGV[1], ARGV[2]
local limit = tonumber(ARGV[3])
local ascending = ARGV[4] == '1'
local user_prefix, tweet_prefix = ARGV[5], ARGV[6]
local ttl = tonumber(ARGV[7])
local card_prefix = ARGV[8]

local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end

if redis.call('EXISTS', KEYS[1]) == 0 then return {'miss', '', ''} end
if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end

local lists = {KEYS[1]}
for _, author in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local key = user_prefix .. author
  if redis.call('EXISTS', key) == 0 then return {'celebrity', '', author} end
  lists[#lists + 1] = key
end

-- The cache is whole above `boundary`: a list without the '0' end mark is capped.
-- Entries are read in chunks as the merge needs them (a page rarely needs more than one).
local CHUNK = 64
local boundary = ''
local entries = {}
local loaded = {}
local size = {}
for i, key in ipairs(lists) do
  local tail = redis.call('LINDEX', key, -1)
  if tail ~= '0' and (boundary == '' or newer(tail, boundary)) then boundary = tail end
  entries[i] = {}
  loaded[i] = 0
  size[i] = redis.call('LLEN', key)
end

local function entry(i, position)
  if position > loaded[i] then
    if loaded[i] >= size[i] then return nil end
    local chunk = redis.call('LRANGE', lists[i], loaded[i], loaded[i] + CHUNK - 1)
    for _, value in ipairs(chunk) do entries[i][#entries[i] + 1] = value end
    loaded[i] = loaded[i] + #chunk
  end
  return entries[i][position]
end
if ascending and lower ~= '' and boundary ~= '' and not newer(lower, boundary) then
  return {'db', boundary, ''}
end

-- Merge newest first, keeping ids inside (lower, max_id) and above the boundary.
local pos = {}
for i = 1, #lists do pos[i] = 1 end
local last = nil
local function next_id()
  while true do
    local best, best_i = nil, nil
    for i = 1, #lists do
      local v = entry(i, pos[i])
      while v and v ~= '0' and max_id ~= '' and not newer(max_id, v) do
        pos[i] = pos[i] + 1
        v = entry(i, pos[i])
      end
      if v and v ~= '0' and (best == nil or newer(v, best)) then best, best_i = v, i end
    end
    if best == nil then return nil end
    pos[best_i] = pos[best_i] + 1
    if lower ~= '' and not newer(best, lower) then return nil end
    if boundary ~= '' and not newer(best, boundary) then return nil end
    if best ~= last then
      last = best
      return best
    end
  end
end

-- A cached value is "author|rest"; 'x' is a deleted tweet's tombstone.
-- Returns the value and its author's card ('' when not cached), or nil when hidden.
local function visible(id)
  local value = redis.call('GET', tweet_prefix .. id)
  if not value then return '', '' end
  if value == 'x' then return nil end
  local author = string.sub(value, 1, string.find(value, '|', 1, true) - 1)
  if redis.call('SISMEMBER', KEYS[3], author) == 1 or redis.call('SISMEMBER', KEYS[4], author) == 1 then
    return nil
  end
  return value, redis.call('GET', card_prefix .. author) or ''
end

local out = {'ok', boundary, ''}
local taken = 0
if ascending then
  local ids = {}
  for id in next_id do ids[#ids + 1] = id end
  for i = #ids, 1, -1 do
    if taken >= limit then break end
    local value, card = visible(ids[i])
    if value then
      out[#out + 1] = ids[i]
      out[#out + 1] = value
      out[#out + 1] = card
      taken = taken + 1
    end
  end
else
  for id in next_id do
    local value, card = visible(id)
    if value then
      out[#out + 1] = id
      out[#out + 1] = value
      out[#out + 1] = card
      taken = taken + 1
      if taken >= limit then break end
    end
  end
end
return out
