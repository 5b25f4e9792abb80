package api_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	. "touchbase/internal/testapp"
)

// TestWorklistSkipTotal: skipTotal=1 gives the same page without the
// counts, as PocketBase's list API does; a bad value is a 400 naming it.
func TestWorklistSkipTotal(t *testing.T) {
	type page struct {
		TotalItems int            `json:"totalItems"`
		Counts     map[string]int `json:"counts"`
		Items      []struct {
			Client struct{ Id string } `json:"client"`
			State  string              `json:"state"`
		} `json:"items"`
	}
	var full page
	runCalls(t, []call{
		{name: "with the counts", user: PM1, url: worklistURL(OccStandard, "state=all"), status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				if err := json.Unmarshal(body, &full); err != nil || full.TotalItems <= 0 || full.Counts == nil {
					t.Fatalf("expected counts: %s", body)
				}
			}},
		{name: "skipTotal=1", user: PM1, url: worklistURL(OccStandard, "state=all", "skipTotal=1"), status: 200,
			check: func(t testing.TB, app *tests.TestApp, body []byte) {
				var got page
				if err := json.Unmarshal(body, &got); err != nil {
					t.Fatal(err)
				}
				if got.TotalItems != -1 || len(got.Counts) != 0 {
					t.Errorf("totalItems %d, counts %v; want -1 and none", got.TotalItems, got.Counts)
				}
				if len(got.Items) < 3 || fmt.Sprint(got.Items) != fmt.Sprint(full.Items) {
					t.Errorf("a different page:\n%v\n%v", got.Items, full.Items)
				}
			}},
		{name: "skipTotal=0 counts", user: PM1, url: worklistURL(OccStandard, "skipTotal=0"), status: 200,
			expect: []string{`"counts":{`}},
		{name: "a bad skipTotal", user: PM1, url: worklistURL(OccStandard, "skipTotal=maybe"), status: 400,
			expect: []string{`"skipTotal"`}},
	})
}
