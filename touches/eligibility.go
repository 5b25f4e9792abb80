package touches

import (
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/domain"
	"touchbase/occurrence"
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
		if reason := ineligibility(t, at); reason != "" {
			return domain.FieldError("occasion", "validation_not_eligible",
				fmt.Sprintf("«%s» cannot be marked for %s: %s.", t.occasion.GetString("title"), t.client.GetString("name"), reason))
		}
	}
	return refuseHeld(app, t, at)
}

// ineligibility says why the occasion is not open for this client today,
// or "" when it is: it must be active (not archived, inside its window for
// this client's occurrence) and target the client's point and segment.
func ineligibility(t *touchContext, now time.Time) string {
	if ok, reason := occurrence.Active(domain.OccasionRule(t.occasion), domain.ClientDates(t.client, t.contact), occurrence.Today(now, t.timezone())); !ok {
		return reason
	}
	if points := t.occasion.GetStringSlice("points"); len(points) > 0 && !slices.Contains(points, t.point.Id) {
		return "the occasion does not target the point " + t.point.GetString("name")
	}
	if segments := t.occasion.GetStringSlice("segments"); len(segments) > 0 && !slices.Contains(segments, t.client.GetString("segment")) {
		segment := t.client.GetString("segment")
		if segment == "" {
			segment = "none"
		}
		return fmt.Sprintf("the occasion targets segments %v, the client's segment is %s", segments, segment)
	}
	return ""
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
	return domain.FieldError("client", "validation_client_held",
		fmt.Sprintf("%s is on hold (%s): standard occasions are paused for this client; mandatory touches remain allowed.",
			t.client.GetString("name"), domain.DescribeHold(app, hold)))
}
