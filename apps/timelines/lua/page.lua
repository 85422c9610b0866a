-- One page of a timeline: the list KEYS[1] merged with the user timelines of the authors
-- in set KEYS[2] (followed celebrities), filtered and with each tweet's cached value.
-- KEYS[3]: authors hidden from this viewer (just unfollowed). KEYS[4]: suspended users.
-- ARGV: max_id ('' = none), lower bound ('' = none), limit, ascending ('1'/'0'),
--       user timeline key prefix, tweet key prefix, TTL to refresh on KEYS[1] (0 = none),
--       author card key prefix, retweet window (entries).
-- Returns {status, boundary, missing_celebrity, then five values per tweet: id, value,
-- card, original value, original card}:
--   status 'miss': KEYS[1] does not exist (rebuild it);
--   status 'celebrity': a merged user timeline is missing (its author id is returned);
--   status 'db': the page lies below what the cache holds (read it from the database);
--   boundary: ids at or below it may be missing from the cache ('' = the cache is whole);
--   value '' means the tweet is not cached (hydrate it from the database); card '' means
--   its author's card is not cached; the original's value and card are those of the
--   tweet a retweet points at ('' for an original, or when not cached).
-- A tweet is shown once: a retweet (or the original) is left out when the same original
-- was shown within the `window` newer entries, on this page or just above it.
local max_id, lower = ARGV[1], ARGV[2]
local limit = tonumber(ARGV[3])
local ascending = ARGV[4] == '1'
local user_prefix, tweet_prefix = ARGV[5], ARGV[6]
local ttl = tonumber(ARGV[7])
local card_prefix = ARGV[8]
local window = tonumber(ARGV[9])

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
local above = {}  -- the newest entries above max_id, for the retweet window
local function next_id()
  while true do
    local best, best_i = nil, nil
    for i = 1, #lists do
      local v = entry(i, pos[i])
      if v and v ~= '0' and (best == nil or newer(v, best)) then best, best_i = v, i end
    end
    if best == nil then return nil end
    pos[best_i] = pos[best_i] + 1
    if max_id ~= '' and not newer(max_id, best) then
      if best ~= last and window > 0 then
        above[#above + 1] = best
        if #above > window then table.remove(above, 1) end
      end
      last = best
    else
      if lower ~= '' and not newer(best, lower) then return nil end
      if boundary ~= '' and not newer(best, boundary) then return nil end
      if best ~= last then
        last = best
        return best
      end
    end
  end
end

-- A cached value is "author|original|rest" (original '0' for an original tweet); 'x' is
-- a deleted tweet's tombstone.
local function parse(value)
  local a = string.find(value, '|', 1, true)
  local b = string.find(value, '|', a + 1, true)
  return string.sub(value, 1, a - 1), string.sub(value, a + 1, b - 1)
end

local function hidden(author)
  return redis.call('SISMEMBER', KEYS[3], author) == 1 or redis.call('SISMEMBER', KEYS[4], author) == 1
end

-- Returns the value, its author's card, the original's value and card ('' when not
-- cached), and the original's id (the tweet's own id for an original); nil when hidden.
local function visible(id)
  local value = redis.call('GET', tweet_prefix .. id)
  if not value then return '', '', '', '', nil end
  if value == 'x' then return nil end
  local author, original = parse(value)
  if hidden(author) then return nil end
  local card = redis.call('GET', card_prefix .. author) or ''
  if original == '0' then return value, card, '', '', id end
  local orig_value = redis.call('GET', tweet_prefix .. original)
  if not orig_value then return value, card, '', '', original end
  if orig_value == 'x' then return nil end
  local orig_author = parse(orig_value)
  if redis.call('SISMEMBER', KEYS[4], orig_author) == 1 then return nil end
  return value, card, orig_value, redis.call('GET', card_prefix .. orig_author) or '', original
end

-- Originals shown just above this page count for the window too.
local shown = {}
local function seed()
  for _, id in ipairs(above) do
    local value, _, _, _, original = visible(id)
    if value and original then shown[original] = true end
  end
end

local out = {'ok', boundary, ''}
local function emit(id, value, card, orig_value, orig_card)
  out[#out + 1] = id
  out[#out + 1] = value
  out[#out + 1] = card
  out[#out + 1] = orig_value
  out[#out + 1] = orig_card
end

local taken = 0
if ascending then
  -- Which entries show is decided newest first, as for a descending page.
  local ids = {}
  for id in next_id do ids[#ids + 1] = id end
  seed()
  local kept = {}
  for _, id in ipairs(ids) do
    local value, card, orig_value, orig_card, original = visible(id)
    if value and not (original and shown[original]) then
      if original then shown[original] = true end
      kept[#kept + 1] = {id, value, card, orig_value, orig_card}
    end
  end
  for i = #kept, 1, -1 do
    if taken >= limit then break end
    emit(unpack(kept[i]))
    taken = taken + 1
  end
else
  local seeded = false
  for id in next_id do
    if not seeded then seed(); seeded = true end
    local value, card, orig_value, orig_card, original = visible(id)
    if value and not (original and shown[original]) then
      if original then shown[original] = true end
      emit(id, value, card, orig_value, orig_card)
      taken = taken + 1
      if taken >= limit then break end
    end
  end
end
return out
