-- Shared by every timeline script (feeds.py puts it in front of each one).
-- Tweet ids are decimal strings of snowflakes: the longer one is newer, and among equal
-- lengths the greater string.
local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end

