package domain

import "touchbase/access"

// Values of the select fields (SPEC §3), written once: the collections
// migration builds the schema from them and the routes' filters check
// query values against them. Changing one later still needs a migration of
// its own for existing data dirs.
var (
	Roles          = []string{access.RoleServiceManager, access.RolePointManager} // users.role
	Segments       = []string{"A+", "A", "B", "C", "D"}                           // clients.segment, occasions.segments, cadences.segment
	Stages         = []string{"prospect", "new", "regular", "sleeping", StageLost}
	Channels       = []string{"telegram", "whatsapp", "email", "phone", "meeting", "other"} // contacts.channel, touches.channel
	OccasionKinds  = []string{"mandatory", "standard"}                                      // occasions.kind
	Categories     = []string{"greeting", "content", "news", "notice", "idea", "advice", "question", "promo", "event", "other"}
	Repeats        = []string{"none", "yearly", "monthly", "weekly", "daily"}                                        // occasions.repeat
	Triggers       = []string{"none", "birthday", "anniversary", "event"}                                            // occasions.trigger
	TouchStatuses  = []string{"done", "skipped", TouchWithdrawn}                                                     // touches.status
	Outcomes       = []string{OutcomeReplied, "no_reply", OutcomeNotNow, OutcomeDeclined, OutcomeBought, "referral"} // touches.outcome
	CommentKinds   = []string{"manual", "touch", "system"}                                                           // comments.kind
	TicketStatuses = []string{"open", "resolved"}                                                                    // tickets.status
	HoldReasons    = []string{"ticket", "declined", "bought", "requested", "other"}                                  // holds.reason
	ContactRoles   = []string{"decision_maker", "influencer", "user", "technical", "finance", "assistant", "other"}  // contacts.role, occasions.roles
	Languages      = []string{"ru", "en"}                                                                            // points.language, clients.language, contacts.language
	DigestOutcomes = []string{"sending", "sent", "failed", "empty"}                                                  // digests.outcome
)

// EventKinds are the values of events.kind and occasions.event_kind
// (SPEC §3); a purchase event with an occasion holds the client (SPEC §4.8).
var EventKinds = []string{"order", "shipment", "delivery", "installation", "maintenance", "payment", EventPurchase, "other"}

// TriggerEvent is the trigger of an occasion whose dates come from the
// client's events of its event_kind (SPEC §4.9); EventPurchase the kind
// of event that records a purchase.
const (
	TriggerEvent  = "event"
	EventPurchase = "purchase"
)

// StageLost is the stage of clients the lists leave out unless asked for.
const StageLost = "lost"

// TouchWithdrawn is the status of an undone mark (SPEC §4.7): it stays as
// history and does not count. MarkedCondition is the condition of the
// marks that do count (at most one per occurrence), exactly as the partial
// unique index idx_touches_once states it: SQLite uses a partial index
// only for a query that repeats its condition. MarkedSQL is the same on a
// touches table aliased t, for the routes' SQL.
const (
	TouchWithdrawn  = "withdrawn"
	MarkedCondition = "status IN ('done', 'skipped')"
	MarkedSQL       = "t." + MarkedCondition
)

// Outcomes of a touch (SPEC §3 touches.outcome) that the server acts on
// (SPEC §4.8) or counts (SPEC §6).
const (
	OutcomeReplied  = "replied"
	OutcomeNotNow   = "not_now"
	OutcomeDeclined = "declined"
	OutcomeBought   = "bought"
)

// LanguageOfCountry is the language a point of country (ISO 3166-1
// alpha-2) writes in by default: Russian where it is an official or the
// common business language, English elsewhere.
func LanguageOfCountry(country string) string {
	switch country {
	case "RU", "BY", "KZ", "KG":
		return "ru"
	}
	return "en"
}

// PersonalContactOccasion is the id of the built-in occasion "personal
// contact" (migration 1764600000_repeats.go): standard, repeat daily, no
// window, every point. The Due view logs an unplanned call or meeting with
// it, through the ordinary touches API (one mark per client and day).
const PersonalContactOccasion = "personalcontact"
