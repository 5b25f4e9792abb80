package domain_test

import (
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
	"touchbase/internal/testapp"
)

func TestMain(m *testing.M) { testapp.Main(m) }

// TestSelectValuesHaveOneSource: every select field of the schema takes
// exactly the values of its domain list, so the filters that check query
// values against the lists accept what the schema accepts. A new select
// field must be added here (and to domain) to pass.
func TestSelectValuesHaveOneSource(t *testing.T) {
	sources := map[string][]string{
		"users.role":                  domain.Roles,
		"users.language":              domain.Languages,
		"digests.outcome":             domain.DigestOutcomes,
		"clients.segment":             domain.Segments,
		"clients.stage":               domain.Stages,
		"contacts.role":               domain.ContactRoles,
		"contacts.language":           domain.Languages,
		"contacts.channel":            domain.Channels,
		"occasions.kind":              domain.OccasionKinds,
		"occasions.category":          domain.Categories,
		"occasions.repeat":            domain.Repeats,
		"occasions.trigger":           domain.Triggers,
		"occasions.segments":          domain.Segments,
		"occasions.roles":             domain.ContactRoles,
		"touches.status":              domain.TouchStatuses,
		"touches.channel":             domain.Channels,
		"touches.outcome":             domain.Outcomes,
		"comments.kind":               domain.CommentKinds,
		"tickets.status":              domain.TicketStatuses,
		"holds.reason":                domain.HoldReasons,
		"events.kind":                 domain.EventKinds,
		"occasions.event_kind":        domain.EventKinds,
		"cadences.segment":            domain.Segments,
		"points.language":             domain.Languages,
		"clients.language":            domain.Languages,
		"occasion_templates.language": domain.Languages,
	}
	app := testapp.New(t)
	collections, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range collections {
		if c.System {
			continue
		}
		for _, f := range c.Fields {
			s, ok := f.(*core.SelectField)
			if !ok {
				continue
			}
			key := c.Name + "." + s.Name
			seen[key] = true
			want, ok := sources[key]
			if !ok {
				t.Errorf("%s has no domain list of values", key)
				continue
			}
			if !slices.Equal(s.Values, want) {
				t.Errorf("%s takes %v, its domain list says %v", key, s.Values, want)
			}
		}
	}
	for key := range sources {
		if !seen[key] {
			t.Errorf("%s is listed here but is no select field of the schema", key)
		}
	}
	if !slices.Contains(domain.Stages, domain.StageLost) {
		t.Errorf("stages %v lack %q", domain.Stages, domain.StageLost)
	}
}
