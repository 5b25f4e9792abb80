package touches

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/domain"
	"touchbase/occurrence"
	"touchbase/texts"
)

// checkTouchAllowed applies SPEC §4.4 (eligibility) and §4.5
// (suppression) to a new touch at the moment at, judged by its author:
// touches without one (an admin fixing data, history written by the
// server) are not checked; service managers may back-fill inactive or
// non-targeting occasions but, like everyone, cannot mark a standard touch
// for a held client.
func checkTouchAllowed(app core.App, t *touchContext, at time.Time) error {
	if t.author == nil {
		return nil
	}
	if !access.IsServiceManager(t.author) {
		if reason := ineligibility(t, at); reason != nil {
			return domain.FieldErrorT("occasion", "validation_not_eligible", "touch.not_eligible",
				t.occasion.GetString("title"), t.client.GetString("name"), reason)
		}
	}
	return refuseHeld(app, t, at)
}

// ineligibility says why the occasion is not open for this client today,
// or nil when it is: it must be active (not archived, inside its window for
// this client's occurrence) and target the client's point and segment.
func ineligibility(t *touchContext, now time.Time) texts.Localized {
	if ok, reason := occurrence.Active(domain.OccasionRule(t.occasion), domain.ClientDates(t.client, t.contact), occurrence.Today(now, t.timezone())); !ok {
		return inactivity(reason)
	}
	if points := t.occasion.GetStringSlice("points"); len(points) > 0 && !slices.Contains(points, t.point.Id) {
		return texts.M("touch.not_for_point", t.point.GetString("name"))
	}
	if segments := t.occasion.GetStringSlice("segments"); len(segments) > 0 && !slices.Contains(segments, t.client.GetString("segment")) {
		var segment any = t.client.GetString("segment")
		if segment == "" {
			segment = texts.M("touch.segment_none")
		}
		return texts.M("touch.not_for_segment", fmt.Sprint(segments), segment)
	}
	return nil
}

// inactivity says occurrence.Active's reason in the request's language:
// the common ones (archived, not started, ended) have texts; the rarer
// ones about a client's dates stay as the occurrence package words them.
func inactivity(reason string) texts.Localized {
	for prefix, key := range map[string]string{
		"the occasion starts on ": "touch.starts_on",
		"the occasion ended on ":  "touch.ended_on",
	} {
		if day, ok := strings.CutPrefix(reason, prefix); ok {
			return texts.M(key, day)
		}
	}
	if reason == "the occasion is archived" {
		return texts.M("touch.archived")
	}
	return texts.Func(func(string) string { return reason })
}

// refuseHeld refuses a standard touch while the client has an active hold
// (SPEC §4.5); mandatory touches stay allowed.
func refuseHeld(app core.App, t *touchContext, now time.Time) error {
	if t.occasion.GetString("kind") != "standard" {
		return nil
	}
	hold, err := domain.ActiveHold(app, t.client.Id, t.occasion.Id, now)
	if err != nil || hold == nil {
		return err
	}
	return domain.FieldErrorT("client", "validation_client_held", "touch.held",
		t.client.GetString("name"), domain.HoldWording(domain.HoldFactsOf(app, hold)))
}
