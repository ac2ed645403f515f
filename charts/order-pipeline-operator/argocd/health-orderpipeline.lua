-- Argo CD health check for orderpipeline.dev/OrderPipeline
-- (argocd-cm key: resource.customizations.health.orderpipeline.dev_OrderPipeline).
-- Reads only what the operator writes: status.observedGeneration and the conditions
-- Ready, Reconciling and Stalled (kstatus conventions), plus any further positive condition
-- (SourceReachable, SinkWriting, OffsetsInRange, DbtSucceeded) whose status False means something is failing.
local hs = {}

local function findCondition(conditions, conditionType)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local function describe(condition, fallback)
  if condition == nil then
    return fallback
  end
  local text = condition.message
  if text == nil or text == "" then
    text = fallback
  end
  if condition.reason ~= nil and condition.reason ~= "" then
    return condition.reason .. ": " .. text
  end
  return text
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
local status = obj.status

-- 1. The operator has not looked at this spec yet.
if status == nil or status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report a status"
  return hs
end
if generation ~= nil and status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation ..
    " (status describes generation " .. status.observedGeneration .. ")"
  return hs
end

local conditions = status.conditions
local ready = findCondition(conditions, "Ready")
local reconciling = findCondition(conditions, "Reconciling")
local stalled = findCondition(conditions, "Stalled")

-- A condition written for an older generation says nothing about the current spec.
local function current(condition)
  return condition ~= nil and (generation == nil or condition.observedGeneration == nil
    or condition.observedGeneration >= generation)
end

-- 2. Paused on purpose: Suspended once the loaders have stopped, even with a broken spec or Secret
--    (pausing is how a user stops crash-looping loaders; the Stalled condition still says what is broken).
local paused = (obj.spec ~= nil and obj.spec.state == "paused") or status.phase == "Paused"
if paused then
  if current(reconciling) and reconciling.status == "True" then
    hs.status = "Progressing"
    hs.message = describe(reconciling, "Pausing")
    return hs
  end
  hs.status = "Suspended"
  hs.message = describe(ready, "Paused")
  return hs
end

-- 3. The operator cannot make progress until the user changes the spec or a Secret.
if current(stalled) and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled, "Stalled")
  return hs
end

-- 4. Any other condition that is False reports a failure (its polarity is positive).
if conditions ~= nil then
  for _, condition in ipairs(conditions) do
    if condition.type ~= "Ready" and condition.type ~= "Reconciling" and condition.type ~= "Stalled"
        and condition.status == "False" and current(condition) then
      hs.status = "Degraded"
      hs.message = condition.type .. " is False: " .. describe(condition, "")
      return hs
    end
  end
end

-- 5. Ready for the current generation.
if current(ready) and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
  return hs
end

-- 6. Still rolling out.
if current(reconciling) and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = describe(reconciling, "Reconciling")
  return hs
end

-- 7. Not ready and not working on it: a failure.
if current(ready) and ready.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(ready, "Not ready")
  return hs
end

hs.status = "Progressing"
hs.message = "Waiting for the Ready condition"
return hs
