// Password guessing, per (source, server, application), from two kinds of evidence that share one alert:
// - the login ledger (auth.jsonl): failed guesses in a sliding window, distinct passwords per user,
//   passwords from a dictionary of common ones, many accounts with few guesses each (bruteforce.spray),
//   and a success after such a run or with a dictionary password (credential.compromised);
// - connection patterns for logins the ledger cannot see (HTTPS, RDP, TLS-wrapped mail; SSH whose outcome
//   could not be inferred): bursts of short sessions of near-identical size (conn.jsonl joined by uid with
//   tls, ssh and rdp records).
#pragma once

#include "detect/detector.h"

namespace trawl::detect {

extern const DetectorInfo kBruteforceDetector;

}  // namespace trawl::detect
