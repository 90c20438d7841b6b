// Property test of the policy decision (issue 8 acceptance): 100,000 random
// (agreement set, consent set, request, time, quota) combinations, seeded and
// reproducible (NSER_PROPERTY_SEED overrides the seed; a failure prints the
// seed and the trial). Small pools of ids make coverage collisions common, so
// every reason code occurs many times (checked at the end).
//
// Checked for every attribute decision:
//   - a permit names an agreement that covers programme, custodian, purpose
//     and attribute, is active, valid at that time, and under quota;
//   - a permit under a consent agreement names an ACTIVE, unexpired, started
//     consent covering subject, programme, purpose and attribute;
//   - revoked, paused or expired consents never permit (dropping them changes nothing);
//   - exhausted quotas never permit;
//   - completeness: permit exactly when such an agreement (and consent) exists;
//   - the reason equals a brute-force model of the documented precedence;
//   - the answer does not depend on the order of the inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "policy/access_decision.h"

namespace nser::policy {

// gtest prints reasons by their wire code.
inline void PrintTo(Reason reason, std::ostream* out) { *out << reasonCode(reason); }

namespace {

constexpr int kTrials = 100000;
constexpr std::int64_t kEpoch = 1780000000;

const std::vector<std::string> kProgrammes = {"kafaalat", "nashonuma"};
const std::vector<std::string> kCustodians = {"punjab", "sindh", "kp"};
const std::vector<std::string> kPurposes = {"eligibility", "grievance", "audit"};
const std::vector<std::string> kAttributes = {"district", "income", "disability", "household", "phone"};
const std::vector<std::string> kEntities = {"E-1", "E-2"};
const std::vector<std::string> kReferences = {"r-1", "r-2"};

struct Scenario {
  std::vector<Agreement> agreements;
  std::vector<ConsentArtefact> consents;
  AccessRequest request;
  std::map<std::string, std::uint32_t> used;
};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : random_(seed) {}

  Scenario next() {
    Scenario s;
    s.request.programme = pick(kProgrammes);
    s.request.purpose = pick(kPurposes);
    s.request.custodian = pick(kCustodians);
    s.request.entityId = chance(0.8) ? pick(kEntities) : "";
    s.request.reference = chance(0.6) ? pick(kReferences) : "";
    s.request.attributes = subset(kAttributes, 1);
    if (chance(0.1)) s.request.attributes.push_back("bank_balance");  // covered by nothing
    s.request.time = kEpoch + uniform(-50, 50);
    // Half the agreements and consents are aimed at the request (its programme,
    // purpose, subject), so that near misses of every kind are common.
    const int agreements = uniform(0, 4);
    for (int i = 0; i < agreements; ++i) s.agreements.push_back(agreement(i, s.request, chance(0.5)));
    const int consents = uniform(0, 5);
    for (int i = 0; i < consents; ++i) s.consents.push_back(consent(i, s.request, chance(0.5)));
    for (const Agreement& a : s.agreements) {
      if (chance(0.7)) s.used[a.id] = static_cast<std::uint32_t>(uniform(0, 6));
    }
    return s;
  }

  std::mt19937_64& engine() { return random_; }

 private:
  int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(random_); }
  const std::string& pick(const std::vector<std::string>& pool) {
    return pool[static_cast<std::size_t>(uniform(0, static_cast<int>(pool.size()) - 1))];
  }
  // A random subset with at least `minimum` members, in pool order.
  std::vector<std::string> subset(const std::vector<std::string>& pool, std::size_t minimum) {
    std::vector<std::string> chosen;
    while (chosen.size() < minimum) {
      chosen.clear();
      for (const auto& item : pool) {
        if (chance(0.6)) chosen.push_back(item);
      }
    }
    return chosen;
  }
  // A window around the epoch: mostly containing the request times, sometimes not.
  std::pair<std::int64_t, std::int64_t> window() {
    const std::int64_t from = kEpoch + uniform(-80, 40);
    return {from, from + uniform(1, 120)};
  }

  Agreement agreement(int index, const AccessRequest& r, bool aimed) {
    Agreement a;
    a.id = "g-" + std::to_string(index);
    a.programme = aimed && chance(0.9) ? r.programme : pick(kProgrammes);
    a.custodians = subset(kCustodians, 1);
    for (const auto& code : subset(kPurposes, 1)) a.purposes.push_back({code, "text"});
    if (aimed && chance(0.7) && !a.coversPurpose(r.purpose)) a.purposes.push_back({r.purpose, "text"});
    a.attributes = subset(kAttributes, 1);
    a.basis = chance(0.5) ? LegalBasis::Statutory : LegalBasis::Consent;
    std::tie(a.validFrom, a.validUntil) = window();
    a.requestsPerDay = chance(0.5) ? 0 : static_cast<std::uint32_t>(uniform(1, 5));
    const int status = uniform(0, 9);
    a.status = status < 8 ? AgreementStatus::Active : status == 8 ? AgreementStatus::Suspended : AgreementStatus::Ended;
    return a;
  }

  ConsentArtefact consent(int index, const AccessRequest& r, bool aimed) {
    ConsentArtefact c;
    c.id = "c-" + std::to_string(index);
    const int form = uniform(0, 2);
    if (form != 1) c.subject.entityId = aimed && !r.entityId.empty() && chance(0.8) ? r.entityId : pick(kEntities);
    if (form != 0) {
      const bool mine = aimed && !r.reference.empty() && chance(0.8);
      c.subject.custodian = mine ? r.custodian : pick(kCustodians);
      c.subject.reference = mine ? r.reference : pick(kReferences);
    }
    c.programme = aimed && chance(0.9) ? r.programme : pick(kProgrammes);
    c.purpose = aimed && chance(0.8) ? r.purpose : pick(kPurposes);
    c.attributes = subset(kAttributes, 1);
    std::tie(c.start, c.expiry) = window();
    const int status = uniform(0, 9);
    c.status = status < 6   ? ConsentStatus::Active
               : status < 7 ? ConsentStatus::Paused
               : status < 8 ? ConsentStatus::Revoked
                            : ConsentStatus::Expired;
    c.provenance = {pick(kCustodians), c.start, "registration-desk"};
    return c;
  }

  std::mt19937_64 random_;
};

std::uint32_t usedToday(const Scenario& s, const std::string& id) {
  const auto it = s.used.find(id);
  return it == s.used.end() ? 0 : it->second;
}

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool agreementCovers(const Agreement& a, const AccessRequest& r, const std::string& attribute) {
  const bool purpose = std::any_of(a.purposes.begin(), a.purposes.end(), [&](const Purpose& p) { return p.code == r.purpose; });
  return a.programme == r.programme && purpose && has(a.custodians, r.custodian) && has(a.attributes, attribute);
}

bool agreementLive(const Agreement& a, std::int64_t time) {
  return a.status == AgreementStatus::Active && a.validFrom <= time && time < a.validUntil;
}

bool underQuota(const Scenario& s, const Agreement& a) {
  return a.requestsPerDay == 0 || usedToday(s, a.id) < a.requestsPerDay;
}

bool subjectMatches(const ConsentArtefact& c, const AccessRequest& r) {
  const bool byEntity = !c.subject.entityId.empty() && c.subject.entityId == r.entityId;
  const bool byReference = !c.subject.reference.empty() && c.subject.reference == r.reference &&
                           c.subject.custodian == r.custodian;
  return byEntity || byReference;
}

bool consentCovers(const ConsentArtefact& c, const AccessRequest& r, const std::string& attribute) {
  return subjectMatches(c, r) && c.programme == r.programme && c.purpose == r.purpose && has(c.attributes, attribute);
}

bool consentPermits(const ConsentArtefact& c, const AccessRequest& r, const std::string& attribute) {
  return consentCovers(c, r, attribute) && c.status == ConsentStatus::Active && c.start <= r.time && r.time < c.expiry;
}

// Brute force over (agreement, consent) pairs: does any pair permit?
bool modelPermits(const Scenario& s, const std::string& attribute) {
  for (const Agreement& a : s.agreements) {
    if (!agreementCovers(a, s.request, attribute) || !agreementLive(a, s.request.time) || !underQuota(s, a)) continue;
    if (a.basis == LegalBasis::Statutory) return true;
    for (const ConsentArtefact& c : s.consents) {
      if (consentPermits(c, s.request, attribute)) return true;
    }
  }
  return false;
}

// The documented precedence, written as "the furthest stage any agreement reaches".
Reason modelReason(const Scenario& s, const std::string& attribute) {
  const AccessRequest& r = s.request;
  Reason best = Reason::NoAgreement;
  for (const Agreement& a : s.agreements) {
    if (a.programme != r.programme) continue;
    Reason reached = Reason::PurposeNotAllowed;
    const bool purpose = std::any_of(a.purposes.begin(), a.purposes.end(), [&](const Purpose& p) { return p.code == r.purpose; });
    if (purpose) reached = Reason::CustodianNotCovered;
    if (purpose && has(a.custodians, r.custodian)) reached = Reason::ScopeNotAllowed;
    if (reached == Reason::ScopeNotAllowed && has(a.attributes, attribute)) {
      if (a.status == AgreementStatus::Ended) {
        reached = Reason::AgreementEnded;
      } else if (a.status == AgreementStatus::Suspended) {
        reached = Reason::AgreementSuspended;
      } else if (r.time >= a.validUntil) {
        reached = Reason::AgreementExpired;
      } else if (r.time < a.validFrom) {
        reached = Reason::AgreementNotYetValid;
      } else {
        reached = Reason::QuotaExceeded;
        if (a.basis == LegalBasis::Consent) {
          Reason consentReason = Reason::ConsentMissing;
          for (const ConsentArtefact& c : s.consents) {
            if (!consentCovers(c, r, attribute)) continue;
            Reason verdict = Reason::QuotaExceeded;  // stands for "this consent is fine"
            if (c.status == ConsentStatus::Revoked) verdict = Reason::ConsentRevoked;
            else if (c.status == ConsentStatus::Expired || r.time >= c.expiry) verdict = Reason::ConsentExpired;
            else if (c.status == ConsentStatus::Paused) verdict = Reason::ConsentPaused;
            else if (r.time < c.start) verdict = Reason::ConsentNotYetValid;
            consentReason = std::max(consentReason, verdict);
          }
          reached = consentReason;
        }
        if (reached == Reason::QuotaExceeded && underQuota(s, a)) reached = Reason::Permit;
      }
    }
    best = std::max(best, reached);
  }
  return best;
}

// The named element; throws (failing the test) when the decision named one that is not there.
const Agreement& findAgreement(const Scenario& s, const std::string& id) {
  for (const Agreement& a : s.agreements) {
    if (a.id == id) return a;
  }
  throw std::runtime_error("the decision names agreement '" + id + "', which is not in the input");
}

const ConsentArtefact& findConsent(const Scenario& s, const std::string& id) {
  for (const ConsentArtefact& c : s.consents) {
    if (c.id == id) return c;
  }
  throw std::runtime_error("the decision names consent '" + id + "', which is not in the input");
}

AccessDecision run(const Scenario& s) { return decide(s.agreements, s.consents, s.request, QuotaState::fromMap(s.used)); }

bool sameDecisions(const AccessDecision& a, const AccessDecision& b) {
  if (a.attributes.size() != b.attributes.size()) return false;
  for (std::size_t i = 0; i < a.attributes.size(); ++i) {
    const auto& x = a.attributes[i];
    const auto& y = b.attributes[i];
    if (x.attribute != y.attribute || x.permit != y.permit || x.reason != y.reason || x.agreementId != y.agreementId ||
        x.consentId != y.consentId) {
      return false;
    }
  }
  return true;
}

std::uint64_t seedFromEnvironment() {
  if (const char* text = std::getenv("NSER_PROPERTY_SEED")) return std::strtoull(text, nullptr, 10);
  return 20261127;
}

TEST(AccessDecisionProperty, HoldsOverOneHundredThousandRandomCombinations) {
  const std::uint64_t seed = seedFromEnvironment();
  Generator generator(seed);
  std::map<Reason, int> reasons;
  int permits = 0;
  int consentBasedPermits = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    const Scenario s = generator.next();
    const AccessDecision decision = run(s);
    ASSERT_EQ(decision.attributes.size(), s.request.attributes.size());
    for (std::size_t i = 0; i < decision.attributes.size(); ++i) {
      const AttributeDecision& d = decision.attributes[i];
      const std::string& attribute = s.request.attributes[i];
      const std::string where = "seed " + std::to_string(seed) + " trial " + std::to_string(trial) + " attribute " +
                                attribute + " reason " + std::string(reasonCode(d.reason));
      ASSERT_EQ(d.attribute, attribute) << where;
      ++reasons[d.reason];
      ASSERT_EQ(d.permit, d.reason == Reason::Permit) << where;
      ASSERT_EQ(d.permit, modelPermits(s, attribute)) << where;
      ASSERT_EQ(d.reason, modelReason(s, attribute)) << where;
      if (!d.permit) continue;
      ++permits;
      // Never a permit without an agreement covering programme, custodian, purpose and attribute,
      // active, valid at that time and under quota.
      const Agreement& a = findAgreement(s, d.agreementId);
      ASSERT_TRUE(agreementCovers(a, s.request, attribute)) << where;
      ASSERT_TRUE(agreementLive(a, s.request.time)) << where;
      ASSERT_TRUE(underQuota(s, a)) << where;
      if (a.basis == LegalBasis::Consent) {
        // Never a consent-based permit without an active, unexpired consent covering
        // subject, programme, purpose and attribute.
        ++consentBasedPermits;
        const ConsentArtefact& c = findConsent(s, d.consentId);
        ASSERT_EQ(c.status, ConsentStatus::Active) << where;
        ASSERT_TRUE(consentPermits(c, s.request, attribute)) << where;
      } else {
        ASSERT_EQ(d.consentId, "") << where;
      }
    }

    const std::string where = "seed " + std::to_string(seed) + " trial " + std::to_string(trial);
    // Revoked, paused or expired consents never permit: without them, no permit changes.
    Scenario onlyActive = s;
    std::erase_if(onlyActive.consents, [&](const ConsentArtefact& c) {
      return c.status != ConsentStatus::Active || s.request.time >= c.expiry;
    });
    const AccessDecision withoutInactive = run(onlyActive);
    for (std::size_t i = 0; i < decision.attributes.size(); ++i) {
      ASSERT_EQ(withoutInactive.attributes[i].permit, decision.attributes[i].permit) << where;
    }
    // Exhausted quota never permits: with every quota used up, only unlimited agreements permit.
    Scenario exhausted = s;
    for (const Agreement& a : s.agreements) exhausted.used[a.id] = std::max(a.requestsPerDay, usedToday(s, a.id));
    for (const AttributeDecision& d : run(exhausted).attributes) {
      if (d.permit) {
        ASSERT_EQ(findAgreement(s, d.agreementId).requestsPerDay, 0u) << where;
      }
    }
    // The order of the inputs does not matter.
    Scenario shuffled = s;
    std::shuffle(shuffled.agreements.begin(), shuffled.agreements.end(), generator.engine());
    std::shuffle(shuffled.consents.begin(), shuffled.consents.end(), generator.engine());
    ASSERT_TRUE(sameDecisions(run(shuffled), decision)) << where;
  }
  // The generator reaches every reason (otherwise the properties above were checked on too little).
  for (int i = 0; i <= static_cast<int>(Reason::Permit); ++i) {
    EXPECT_GT(reasons[static_cast<Reason>(i)], 50) << reasonCode(static_cast<Reason>(i));
  }
  for (const auto& [reason, count] : reasons) std::cout << reasonCode(reason) << ' ' << count << '\n';
  EXPECT_GT(consentBasedPermits, 1000);
  EXPECT_GT(permits, consentBasedPermits + 1000);  // statutory permits too
  RecordProperty("permits", permits);
}

}  // namespace
}  // namespace nser::policy
