package touches

import (
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/access"
	"touchbase/clients"
	"touchbase/days"
	"touchbase/domain"
	"touchbase/texts"
)

// Undo (SPEC §4.7) and outcomes (SPEC §4.8): who may withdraw a mark,
// what an outcome may be set on, and the hold an outcome puts on the
// occasion for the client, kept in step with the touch in the same
// transaction.

// WithdrawWindow is how long the author of a mark may withdraw it; a
// service manager may at any time.
const WithdrawWindow = 24 * time.Hour

// FollowUpDays is how far on the follow-up day of a "not now" lies when
// none is given.
const FollowUpDays = 30

// BoughtHoldYears is how long a "bought" outcome holds the occasion.
const BoughtHoldYears = 1

// checkStatusChange refuses what SPEC §4.7 does not allow: withdrawing
// another's mark (a point manager), withdrawing one's own after
// WithdrawWindow, and turning a withdrawn mark back (a new mark is a new
// touch). Changes between done and skipped stay as they were. actor nil or
// not staff is the server or a superuser, who may do anything.
func checkStatusChange(touch, original, actor *core.Record, now time.Time) error {
	before, after := original.GetString("status"), touch.GetString("status")
	if before == after {
		return nil
	}
	if before == domain.TouchWithdrawn {
		return domain.FieldErrorT("status", "validation_withdrawn_final", "touch.withdrawn_final")
	}
	if after != domain.TouchWithdrawn || !access.IsStaff(actor) || access.IsServiceManager(actor) {
		return nil
	}
	if original.GetString("author") != actor.Id {
		return domain.ScopeErrorT("status", "touch.withdraw_not_author")
	}
	created := original.GetDateTime("created").Time()
	if now.Sub(created) > WithdrawWindow {
		return domain.FieldErrorT("status", "validation_withdraw_too_late", "touch.withdraw_too_late",
			created.UTC().Format("2006-01-02 15:04")+" UTC")
	}
	return nil
}

// prepareOutcome checks and completes the outcome of a touch before it is
// saved: an outcome is recorded on a done touch only; a follow-up day is a
// day (days.Normalize), not in the past at the client's point; a "not now"
// without one gets FollowUpDays on; and when the outcome changes to
// anything else and followUpSent is false, the old follow-up day goes.
// original is nil for a new touch.
func prepareOutcome(touch, original, point *core.Record, followUpSent bool, now time.Time) error {
	outcome := touch.GetString("outcome")
	beforeOutcome, beforeFollowUp := "", types.DateTime{}
	if original != nil {
		beforeOutcome, beforeFollowUp = original.GetString("outcome"), original.GetDateTime("follow_up")
	}
	if followUp := touch.GetDateTime("follow_up"); !followUp.IsZero() {
		if day, err := types.ParseDateTime(days.Normalize(followUp.Time())); err == nil {
			touch.Set("follow_up", day)
		}
	}
	if outcome != beforeOutcome && outcome != domain.OutcomeNotNow && !followUpSent {
		touch.Set("follow_up", "")
	}
	followUp := touch.GetDateTime("follow_up")
	changed := outcome != beforeOutcome || !followUp.Equal(beforeFollowUp)
	if !changed {
		return nil
	}
	if outcome != "" && touch.GetString("status") != "done" {
		return domain.FieldErrorT("outcome", "validation_outcome_not_done", "touch.outcome_not_done",
			texts.Func(func(lang string) string { return statusWord(lang, touch.GetString("status")) }))
	}
	today := days.Of(now, domain.PointLocation(point))
	if !followUp.IsZero() && !followUp.Equal(beforeFollowUp) && followUp.Time().Before(today) {
		return domain.FieldErrorT("follow_up", "validation_follow_up_past", "touch.follow_up_past",
			followUp.Time().Format(time.DateOnly), today.Format(time.DateOnly))
	}
	if outcome == domain.OutcomeNotNow && followUp.IsZero() {
		day, _ := types.ParseDateTime(today.AddDate(0, 0, FollowUpDays))
		touch.Set("follow_up", day)
	}
	return nil
}

// outcomeHold is the hold a touch's outcome asks for (SPEC §4.8), for the
// touch's occasion: declined → reason declined, no expiry; bought →
// reason bought, BoughtHoldYears on; not_now → reason requested, through
// the day before the follow-up day (the client is pending again on it).
// ok is false when the touch asks for none (not done, another outcome, a
// follow-up day that has come).
func outcomeHold(touch, point *core.Record, now time.Time) (reason string, until time.Time, ok bool) {
	if touch.GetString("status") != "done" {
		return "", time.Time{}, false
	}
	today := days.Of(now, domain.PointLocation(point))
	switch touch.GetString("outcome") {
	case domain.OutcomeDeclined:
		return "declined", time.Time{}, true
	case domain.OutcomeBought:
		return "bought", today.AddDate(BoughtHoldYears, 0, 0), true
	case domain.OutcomeNotNow:
		followUp := touch.GetDateTime("follow_up")
		if followUp.IsZero() {
			return "", time.Time{}, false
		}
		until := days.Normalize(followUp.Time()).AddDate(0, 0, -1)
		if until.Before(today) {
			return "", time.Time{}, false
		}
		return "requested", until, true
	}
	return "", time.Time{}, false
}

// syncOutcomeHold makes the holds linked to the touch what its outcome
// asks for: it keeps a hold that already says so, else lifts (deletes) the
// touch's holds and creates the one asked for. It returns the hold that
// applies after it (nil: none) and whether one was lifted.
func syncOutcomeHold(app core.App, touch *core.Record, t *touchContext, now time.Time) (hold *core.Record, lifted bool, err error) {
	existing, err := app.FindAllRecords("holds", dbx.HashExp{"touch": touch.Id})
	if err != nil {
		return nil, false, err
	}
	reason, until, want := outcomeHold(touch, t.point, now)
	if want && len(existing) == 1 {
		h := existing[0]
		if h.GetString("reason") == reason && h.GetString("occasion") == t.occasion.Id &&
			h.GetDateTime("until").Time().Equal(until) {
			return h, false, nil
		}
	}
	for _, h := range existing {
		if err := app.Delete(h); err != nil {
			return nil, false, err
		}
	}
	lifted = len(existing) > 0
	if !want {
		return nil, lifted, nil
	}
	collection, err := app.FindCachedCollectionByNameOrId("holds")
	if err != nil {
		return nil, false, err
	}
	hold = core.NewRecord(collection)
	hold.Set("client", t.client.Id)
	hold.Set("occasion", t.occasion.Id)
	hold.Set("touch", touch.Id)
	hold.Set("reason", reason)
	if !until.IsZero() {
		hold.Set("until", until)
	}
	if err := app.Save(hold); err != nil {
		return nil, false, err
	}
	return hold, lifted, nil
}

// applyOutcome runs after a touch with a new or changed outcome (or
// follow-up day, or status) was saved: it syncs the outcome's hold and,
// when the outcome or follow-up day changed or a hold was lifted, writes
// the card comment saying so, in the language of the client's point,
// naming actor (nil: nobody). beforeOutcome and beforeFollowUp are the
// touch's values before the change (empty for a new touch).
func applyOutcome(app core.App, touch, actor *core.Record, t *touchContext, beforeOutcome string, beforeFollowUp types.DateTime, now time.Time) error {
	hold, lifted, err := syncOutcomeHold(app, touch, t, now)
	if err != nil {
		return err
	}
	outcome, followUp := touch.GetString("outcome"), touch.GetDateTime("follow_up")
	changed := outcome != beforeOutcome || !followUp.Equal(beforeFollowUp)
	if !changed && !lifted {
		return nil // the hold already says so
	}

	lang := texts.Lang(t.point.GetString("language"))
	occasion := t.occasion.GetString("title")
	by, authorId := "", ""
	if access.IsStaff(actor) {
		by = texts.T(lang, "comment.by", actor.GetString("name"))
		authorId = actor.Id
	}
	var text string
	switch {
	case changed && outcome == "":
		text = texts.T(lang, "comment.outcome_cleared", occasion, outcomeWord(lang, beforeOutcome), by)
	case changed:
		follow := ""
		if !followUp.IsZero() {
			follow = texts.T(lang, "comment.follow_up", followUp.Time().Format(time.DateOnly))
		}
		text = texts.T(lang, "comment.outcome", occasion, outcomeWord(lang, outcome), follow, by)
	default:
		text = texts.T(lang, "comment.outcome_hold_lifted", occasion, by)
	}
	if hold != nil && (changed || lifted) {
		until := texts.T(lang, "hold.until_lifted")
		if u := hold.GetDateTime("until"); !u.IsZero() {
			until = texts.T(lang, "hold.until", u.Time().Format(time.DateOnly))
		}
		text += texts.T(lang, "comment.outcome_hold", until)
	} else if lifted && changed {
		text += texts.T(lang, "comment.outcome_lifted")
	}
	return clients.SaveServerComment(app, t.client.Id, "touch", touch.Id, authorId, strings.TrimSpace(text))
}

// outcomeWord is an outcome in lang (the value itself when it has no
// text).
func outcomeWord(lang, outcome string) string {
	return texts.Or(lang, "outcome."+outcome, outcome)
}

// Update saves a change of a mark made by actor (a staff user; nil: the
// server) from Go code — the demo, a command — the way the API does: the
// same checks (who may withdraw, outcomes on done touches only, the
// follow-up day), the status comment, the outcome's hold and comment, all
// in one transaction.
func Update(app core.App, touch, actor *core.Record) error {
	return app.RunInTransaction(func(txApp core.App) error {
		original := touch.Original()
		if err := beforeUpdate(txApp, touch, original, actor, !touch.GetDateTime("follow_up").Equal(original.GetDateTime("follow_up")), time.Now()); err != nil {
			return err
		}
		if err := txApp.Save(touch); err != nil {
			return err
		}
		return afterUpdate(txApp, touch, original, actor, time.Now())
	})
}

// beforeUpdate checks a change of a mark (checkStatusChange,
// prepareOutcome) before it is saved.
func beforeUpdate(app core.App, touch, original, actor *core.Record, followUpSent bool, now time.Time) error {
	if err := checkStatusChange(touch, original, actor, now); err != nil {
		return err
	}
	if touch.GetString("outcome") == original.GetString("outcome") && !followUpSent {
		return nil
	}
	t, err := loadTouchContext(app, touch)
	if err != nil {
		return err
	}
	return prepareOutcome(touch, original, t.point, followUpSent, now)
}

// afterUpdate writes what a saved change of a mark means: the card
// comment of a status change, and the outcome's hold and comment.
func afterUpdate(app core.App, touch, original, actor *core.Record, now time.Time) error {
	before := original.GetString("status")
	statusChanged := before != touch.GetString("status")
	outcomeChanged := original.GetString("outcome") != touch.GetString("outcome") ||
		!original.GetDateTime("follow_up").Equal(touch.GetDateTime("follow_up"))
	if !statusChanged && !outcomeChanged {
		return nil
	}
	t, err := loadTouchContext(app, touch)
	if err != nil {
		return err
	}
	if statusChanged {
		if err := writeStatusChangeComment(app, touch, actor, before, t); err != nil {
			return err
		}
	}
	return applyOutcome(app, touch, actor, t, original.GetString("outcome"), original.GetDateTime("follow_up"), now)
}
