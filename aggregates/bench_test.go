package aggregates_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"touchbase/domain"
	. "touchbase/internal/testapp"
)

// BenchmarkTouchInsert is the cost the triggers add to a done touch's
// insert (raw SQL through dbx, as PocketBase writes a record, so only the
// database work is measured): with every trigger, with one of the
// aggregates' triggers dropped, and with none.
//
//	GOTOOLCHAIN=auto go test -tags no_ui ./aggregates -run '^$' -bench TouchInsert -benchtime 2000x
func BenchmarkTouchInsert(b *testing.B) {
	lastTouch := []string{"clients_last_touch_touch_insert", "clients_last_touch_kept"}
	markCounts := []string{"mark_counts_touch_insert"}
	for _, c := range []struct {
		name string
		drop []string
	}{
		{"both aggregates", nil},
		{"mark_counts only", lastTouch},
		{"last_touch only", markCounts},
		{"none", append(append([]string{}, lastTouch...), markCounts...)},
	} {
		b.Run(c.name, func(b *testing.B) {
			app := New(b)
			for _, name := range c.drop {
				if _, err := app.DB().NewQuery("DROP TRIGGER " + name).Execute(); err != nil {
					b.Fatal(err)
				}
			}
			clients := []string{C1, C1b, C1c, C2}
			at := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
			i := 0
			for b.Loop() {
				_, err := app.DB().Insert("touches", dbx.Params{"id": fmt.Sprintf("benchtouch%05d", i), "client": clients[i%4],
					"occasion": OccStandard, "period": fmt.Sprint(i), "status": "done",
					"created": domain.DBTime(at.Add(time.Duration(i) * time.Second))}).Execute()
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
