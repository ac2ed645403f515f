-- Argo CD health check for orderpipeline.dev/CdcSync
-- (argocd-cm key: resource.customizations.health.orderpipeline.dev_CdcSync).
-- Reads only what the operator writes: status.observedGeneration and the conditions (kstatus
-- conventions; conditions written for an older generation are ignored). The same decisions as the
-- OrderPipeline check, in this order (the first that applies wins):
--   Progressing  no status yet, or status.observedGeneration behind metadata.generation.
--   Suspended    spec.state paused (or phase Paused) and the replicator has stopped; Progressing while
--                it stops. Pausing wins over everything, so a broken sync can be stopped.
--   Degraded     Stalled True (e.g. its OrderPipeline or a Secret is missing).
--   Degraded     Ready False with a failure reason (CrashLooping or any reason ending in it,
--                ImagePullFailed, ContainerConfigError, RolloutStuck), even while Reconciling is True.
--   Degraded     any other condition False, except the warning below.
--   Healthy      Ready True; SourceReachable False (a failed probe of the warehouse while the
--                replicator applies changes) is a warning named in the message, not a failure.
--   Progressing  Reconciling True.
--   Degraded     Ready False while not reconciling.
--   Progressing  otherwise (no Ready condition for this generation yet).
local hs = {}

-- Conditions that only warn while Ready is True.
local WARNINGS = { SourceReachable = true }
-- Reasons of Ready False that mean the workloads fail, whatever Reconciling says.
local FAILURE_REASONS = {
  LoadersCrashLooping = true, ImagePullFailed = true, ContainerConfigError = true, RolloutStuck = true
}

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

local function isFailureReason(reason)
  if reason == nil then
    return false
  end
  return FAILURE_REASONS[reason] == true or string.sub(reason, -12) == "CrashLooping"
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

-- 2. Paused on purpose: Suspended once the replicator has stopped, even with a broken spec or Secret
--    (pausing is how a user stops a crash-looping replicator; the Stalled condition still says what is broken).
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

-- 4. The replicator fails (crash loop, image pull, stuck rollout), even if a rollout is still going on.
if current(ready) and ready.status == "False" and isFailureReason(ready.reason) then
  hs.status = "Degraded"
  hs.message = describe(ready, "Not ready")
  return hs
end

-- 5. A positive condition that is False is a failure, unless it is one of the warnings.
local warnings = {}
if conditions ~= nil then
  for _, condition in ipairs(conditions) do
    if condition.type ~= "Ready" and condition.type ~= "Reconciling" and condition.type ~= "Stalled"
        and condition.status == "False" and current(condition) then
      if WARNINGS[condition.type] then
        table.insert(warnings, condition.type .. " is False: " .. describe(condition, ""))
      else
        hs.status = "Degraded"
        hs.message = condition.type .. " is False: " .. describe(condition, "")
        return hs
      end
    end
  end
end

-- 6. Ready for the current generation: changes flow; warnings are named, not fatal.
if current(ready) and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
  if #warnings > 0 then
    hs.message = hs.message .. " Warning: " .. table.concat(warnings, "; ")
  end
  return hs
end

-- 7. Still rolling out.
if current(reconciling) and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = describe(reconciling, "Reconciling")
  return hs
end

-- 8. Not ready and not working on it: a failure.
if current(ready) and ready.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(ready, "Not ready")
  if #warnings > 0 then
    hs.message = hs.message .. " (" .. table.concat(warnings, "; ") .. ")"
  end
  return hs
end

hs.status = "Progressing"
hs.message = "Waiting for the Ready condition"
return hs
