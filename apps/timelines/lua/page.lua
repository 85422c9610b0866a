-- One page of a timeline: the list KEYS[1] merged with the user timelines of the
-- celebrities the viewer follows, filtered, with each tweet's cached value and the
-- viewer's flags.
-- KEYS[2]: a home's state set ('' for a user timeline): the loaded mark '0', the ids of
--   the celebrities merged in, and '-<id>' for each author hidden from the viewer (just
--   unfollowed). It lives and dies with the home list. KEYS[3]: suspended users.
-- KEYS[4], KEYS[5]: the viewer's exclusions ('' when a set does not apply): the users
--   they blocked or were blocked by, and (in their home) the users they muted.
-- KEYS[6..]: the viewer's flag sets (none when there is no viewer), in the order of
--   apps.tweets.engagement.FLAGS.
-- ARGV: max_id ('' = none), lower bound ('' = none), limit, ascending ('1'/'0'),
--       user timeline key prefix, tweet key prefix, TTL to refresh on KEYS[1] and KEYS[2]
--       (0 = none), author card key prefix, retweet window (entries), user timeline key
--       suffix (a user timeline's key is prefix .. id .. suffix).
-- Returns {status, boundary, missing_celebrity, loaded, then six values per tweet: id,
-- value, card, original value, original card, flags}:
--   status 'miss': KEYS[1] does not exist, or a home's state set is not loaded (rebuild it);
--   status 'celebrity': a merged user timeline is missing (its author id is returned);
--   status 'suspended': the suspended set KEYS[3] is not loaded (load it from the database);
--   status 'exclusions': an exclusion set is not loaded (load the viewer's from the database);
--   status 'db': the page lies below what the cache holds (read it from the database);
--   boundary: ids at or below it may be missing from the cache ('' = the cache is whole);
--   value '' means the tweet is not cached (hydrate it from the database); card '' means
--   its author's card is not cached; the original's value and card are those of the
--   tweet a retweet points at ('' for an original, or when not cached);
--   loaded: one character per flag set, '1' when it is loaded (its '0' member), so that
--   the tweets' flags hold; flags: one character per flag set, '1' when the tweet (the
--   original, for a retweet) is in it; '' for a tweet that is not cached.
-- Which entries show is the rule of apps/tweets/visibility.py: a tweet is shown once
-- per page: a retweet (or the original) is left out when the same original was shown
-- on this page or within the `window` entries just above it.
--
-- Each redis.call costs far more than the work of a GET, so values, cards and set
-- memberships are read in batches (MGET, SMISMEMBER) for a group of entries at a time.
local max_id, lower = ARGV[1], ARGV[2]
local limit = tonumber(ARGV[3])
local ascending = ARGV[4] == '1'
local user_prefix, tweet_prefix = ARGV[5], ARGV[6]
local ttl = tonumber(ARGV[7])
local card_prefix = ARGV[8]
local window = tonumber(ARGV[9])
local user_suffix = ARGV[10]

-- A list's last entry tells whether it exists (lists are never empty) and whether it
-- is whole: the cache is whole above `boundary`; a list without the '0' end mark is capped.
local home_tail = redis.call('LINDEX', KEYS[1], -1)
if not home_tail then return {'miss', '', '', ''} end
-- The suspended set is loaded whole (its member '0' says so) or not at all: without it,
-- suspended authors would show, so the caller reloads it from the database first.
if redis.call('SISMEMBER', KEYS[3], '0') == 0 then return {'suspended', '', '', ''} end
-- A home's state set without its mark was lost (or never made): without it, followed
-- celebrities would be missing and unfollowed authors would show, so the home is rebuilt.
local state = KEYS[2]
if state ~= '' and redis.call('SISMEMBER', state, '0') == 0 then return {'miss', '', '', ''} end
-- An exclusion set is loaded whole (its '0') or missing; one holding more than the mark
-- is looked up for each candidate's author and original author.
local excluding = {}
for k = 4, 5 do
  if KEYS[k] ~= '' then
    local size = redis.call('SCARD', KEYS[k])
    if size == 0 then return {'exclusions', '', '', ''} end
    if size > 1 then excluding[#excluding + 1] = KEYS[k] end
  end
end
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  if state ~= '' then redis.call('EXPIRE', state, ttl) end
end

local lists = {KEYS[1]}
local tails = {home_tail}
local hidden_any = false
if state ~= '' then
  for _, member in ipairs(redis.call('SMEMBERS', state)) do
    if string.sub(member, 1, 1) == '-' then
      hidden_any = true
    elseif member ~= '0' then
      local key = user_prefix .. member .. user_suffix
      local tail = redis.call('LINDEX', key, -1)
      if not tail then return {'celebrity', '', member, ''} end
      lists[#lists + 1] = key
      tails[#tails + 1] = tail
    end
  end
end

-- Entries are read in chunks as the merge needs them, since turning a reply into Lua
-- values is what costs: a first page rarely needs more than `limit` entries of the home
-- list and a few of each celebrity's; each later chunk doubles, up to CHUNK.
local CHUNK = 64
local SPARE = 2  -- candidates looked up beyond what a page still needs
local chunk_size = {}
local boundary = ''
local entries = {}
local loaded = {}
local exhausted = {}
for i, tail in ipairs(tails) do
  if tail ~= '0' and (boundary == '' or newer(tail, boundary)) then boundary = tail end
  entries[i] = {}
  loaded[i] = 0
  exhausted[i] = false
  chunk_size[i] = (max_id ~= '' or ascending) and CHUNK or (i == 1 and limit + SPARE + 1 or 4)
end

local function entry(i, position)
  if position > loaded[i] then
    if exhausted[i] then return nil end
    local count = chunk_size[i]
    local chunk = redis.call('LRANGE', lists[i], loaded[i], loaded[i] + count - 1)
    for _, value in ipairs(chunk) do entries[i][#entries[i] + 1] = value end
    loaded[i] = loaded[i] + #chunk
    exhausted[i] = #chunk < count
    chunk_size[i] = math.min(CHUNK, count * 2)
  end
  return entries[i][position]
end
if ascending and lower ~= '' and boundary ~= '' and not newer(lower, boundary) then
  return {'db', boundary, '', ''}
end

-- Merge newest first, keeping ids inside (lower, max_id) and above the boundary. Each
-- list's current entry is kept in `heads` (nil once the list is used up), so a step
-- compares heads and reads on only in the list it took from.
local pos, heads = {}, {}
local function advance(i)
  local v = entry(i, pos[i])
  if v == '0' then v = nil end
  heads[i] = v
end
for i = 1, #lists do
  pos[i] = 1
  advance(i)
end
local last = nil
local above = {}  -- the newest entries above max_id, for the retweet window
local function next_id()
  while true do
    local best, best_i = nil, nil
    for i = 1, #lists do
      local v = heads[i]
      if v and (best == nil or newer(v, best)) then best, best_i = v, i end
    end
    if best == nil then return nil end
    pos[best_i] = pos[best_i] + 1
    advance(best_i)
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
  return string.match(value, '^(%d+)|(%d+)|')
end

local function prefixed(prefix, ids)
  local out = {}
  for i, id in ipairs(ids) do out[i] = prefix .. id end
  return out
end

-- Which of `members` (deduplicated) belong to the set `key`; skipped when `any` is false.
local function members_of(key, any, members)
  local found = {}
  if not any or #members == 0 then return found end
  local unique, seen = {}, {}
  for _, member in ipairs(members) do
    if not seen[member] then seen[member] = true; unique[#unique + 1] = member end
  end
  local bits = redis.call('SMISMEMBER', key, unpack(unique))
  for i, member in ipairs(unique) do
    if bits[i] == 1 then found[member] = true end
  end
  return found
end

local suspended_any = redis.call('SCARD', KEYS[3]) > 1  -- more than the loaded mark
local info = {}   -- id -> false (never shown) or {value, author, original, orig_value, orig_author}
local cards = {}  -- author -> card ('' when not cached)

-- Look up ids not looked up yet, a slice at a time (unpack has a limit), in a few
-- batched calls per slice.
local SLICE = 200
local function resolve_slice(todo)
  local values = redis.call('MGET', unpack(prefixed(tweet_prefix, todo)))
  local found, authors, originals = {}, {}, {}
  for i, id in ipairs(todo) do
    local value = values[i]
    if not value then
      info[id] = {value = ''}
    elseif value == 'x' then
      info[id] = false
    else
      local author, original = parse(value)
      local item = {id = id, value = value, author = author, original = original}
      found[#found + 1] = item
      authors[#authors + 1] = author
      if original ~= '0' then originals[#originals + 1] = original end
    end
  end
  local original_values = {}
  if #originals > 0 then
    local fetched = redis.call('MGET', unpack(prefixed(tweet_prefix, originals)))
    for i, original in ipairs(originals) do original_values[original] = fetched[i] end
  end
  local original_authors = {}
  for _, item in ipairs(found) do
    local original_value = original_values[item.original]
    if original_value and original_value ~= 'x' then
      item.orig_value = original_value
      item.orig_author = parse(original_value)
      original_authors[#original_authors + 1] = item.orig_author
    end
    item.orig_deleted = original_value == 'x'
  end
  local everyone = {unpack(authors)}
  for _, author in ipairs(original_authors) do everyone[#everyone + 1] = author end
  -- Authors whose tweets (and retweets of whose tweets) never show: suspended, excluded.
  local left_out = members_of(KEYS[3], suspended_any, everyone)
  for _, key in ipairs(excluding) do
    for author in pairs(members_of(key, true, everyone)) do left_out[author] = true end
  end
  local hidden = members_of(state, hidden_any, prefixed('-', authors))
  local missing, asked = {}, {}
  for _, author in ipairs(everyone) do
    if cards[author] == nil and not asked[author] then asked[author] = true; missing[#missing + 1] = author end
  end
  if #missing > 0 then
    local fetched = redis.call('MGET', unpack(prefixed(card_prefix, missing)))
    for i, author in ipairs(missing) do cards[author] = fetched[i] or '' end
  end
  for _, item in ipairs(found) do
    if item.orig_deleted or hidden['-' .. item.author] or left_out[item.author]
      or (item.orig_author and left_out[item.orig_author]) then
      info[item.id] = false
    else
      info[item.id] = item
    end
  end
end

local function resolve(ids)
  local todo = {}
  for _, id in ipairs(ids) do
    if info[id] == nil then todo[#todo + 1] = id end
    if #todo == SLICE then resolve_slice(todo); todo = {} end
  end
  if #todo > 0 then resolve_slice(todo) end
end

-- The value, its author's card, the original's value and card ('' when not cached), and
-- the original's id (the tweet's own id for an original; nil when not cached); nil when
-- the tweet is not shown. `id` must have been resolved.
local function visible(id)
  local item = info[id]
  if not item then return nil end
  if item.value == '' then return '', '', '', '', nil end
  local original = item.original == '0' and id or item.original
  if not item.orig_value then return item.value, cards[item.author], '', '', original end
  return item.value, cards[item.author], item.orig_value, cards[item.orig_author], original
end

-- Originals shown just above this page count for the window too.
local shown = {}
local function seed()
  resolve(above)
  for _, id in ipairs(above) do
    local value, _, _, _, original = visible(id)
    if value and original then shown[original] = true end
  end
end

local page = {}  -- {id, value, card, orig_value, orig_card, original}
local function keep(id, into)
  local value, card, orig_value, orig_card, original = visible(id)
  if value and not (original and shown[original]) then
    if original then shown[original] = true end
    into[#into + 1] = {id, value, card, orig_value, orig_card, original}
    return true
  end
  return false
end

if ascending then
  -- Which entries show is decided newest first, as for a descending page.
  local ids = {}
  for id in next_id do ids[#ids + 1] = id end
  seed()
  resolve(ids)
  local kept = {}
  for _, id in ipairs(ids) do keep(id, kept) end
  for i = #kept, math.max(1, #kept - limit + 1), -1 do page[#page + 1] = kept[i] end
else
  local seeded = false
  local done = false
  while not done and #page < limit do
    -- The next few candidates: as many as the page still needs, and a few spare.
    local batch = {}
    while #batch < limit - #page + SPARE do
      local id = next_id()
      if id == nil then done = true; break end
      batch[#batch + 1] = id
    end
    if #batch == 0 then break end
    if not seeded then seed(); seeded = true end
    resolve(batch)
    for _, id in ipairs(batch) do
      if #page >= limit then break end
      keep(id, page)
    end
  end
end

-- The viewer's flags, for each cached tweet on the page (of the original for a retweet).
local loaded = ''
local bits = {}  -- original -> one character per flag set
if #KEYS > 5 then
  local flagged = {'0'}
  for _, row in ipairs(page) do
    if row[6] then flagged[#flagged + 1] = row[6] end
  end
  local per_set = {}
  for k = 6, #KEYS do
    local found = redis.call('SMISMEMBER', KEYS[k], unpack(flagged))
    per_set[#per_set + 1] = found
    loaded = loaded .. (found[1] == 1 and '1' or '0')
  end
  for i = 2, #flagged do
    local chars = {}
    for k, found in ipairs(per_set) do chars[k] = found[i] == 1 and '1' or '0' end
    bits[flagged[i]] = table.concat(chars)
  end
end

local out = {'ok', boundary, '', loaded}
for _, row in ipairs(page) do
  local id, value, card, orig_value, orig_card, original = unpack(row)
  out[#out + 1] = id
  out[#out + 1] = value
  out[#out + 1] = card
  out[#out + 1] = orig_value
  out[#out + 1] = orig_card
  out[#out + 1] = original and bits[original] or ''
end
return out
