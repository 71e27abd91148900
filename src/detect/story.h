// Story: the alerts of one intrusion chained by host, from the alerts alone (never records or packets).
// An attacker A scans a victim V, guesses its passwords, gets in (credential.compromised, or a worm
// reaching V: worm.propagation); V, now compromised, beacons (c2.beacon, ioc.match) and spreads (scans,
// http.worm_pattern, infecting or breaking into further hosts, whose own stories then continue the chain).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "detect/alert.h"

namespace trawl::detect {

enum class StoryStage : uint8_t { kScan, kGuess, kAccess, kBeacon, kSpread };

struct StoryStep {
  StoryStage stage;
  size_t alert;       // index into the alerts the story was found in (alerts.jsonl line - 1)
  std::string actor;  // who did it: for worm.propagation the infecting host, not the alert's src
  double ts_first, ts_last;
  std::string text;   // what the actor did, without the actor: "brute-forced ftp on 10.0.0.9 (...)"
};

struct Story {
  std::vector<std::string> hosts;  // attacker first, then every host it reached, in the order they fell
  std::vector<StoryStep> steps;    // in time order
  std::string text;                // the whole chain as sentences
};

// Chains the alerts into stories. Rules (each link needs both hosts and the time order to fit):
// - A's scan.* of V (V its dst, or among evidence.targets) that starts before A's access to V (or before
//   its password guessing ends, when nothing got in), bruteforce.* from A to V, and A's access to V;
// - after the access, and only then, V's c2.beacon / ioc.match and V's spread (scan.*, http.worm_pattern)
//   that start at or after the access; V's own intrusions into further hosts join the same chain.
// A story needs at least two stages (a lone brute force is no story). Stories come with the most stages
// first, then by time; the same alerts always give the same stories and text.
std::vector<Story> find_stories(const std::vector<Alert>& alerts);

// The terminal lines: "story: ..." for the first `max_shown` stories, and how many more story.json holds.
std::string render_stories(const std::vector<Story>& stories, size_t max_shown = 5);

// story.json: {"stories": [{"hosts", "ts_first", "ts_last", "text", "steps": [{"stage", "actor", "type",
// "alert" (1-based line of alerts.jsonl), "ts_first", "ts_last", "text"}]}]}.
nlohmann::ordered_json stories_json(const std::vector<Story>& stories, const std::vector<Alert>& alerts);

}  // namespace trawl::detect
