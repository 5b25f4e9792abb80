package aggregates_test

import (
	"fmt"
	"testing"

	"github.com/pocketbase/dbx"

	. "touchbase/internal/testapp"
)

// BenchmarkTouchInsert is the cost the triggers add to a done touch's
// insert (raw SQL, so only the database work is measured): with the
// triggers and with them dropped.
func BenchmarkTouchInsert(b *testing.B) {
	for _, withTriggers := range []bool{true, false} {
		b.Run(fmt.Sprintf("triggers=%v", withTriggers), func(b *testing.B) {
			app := New(b)
			if !withTriggers {
				for _, name := range []string{"insert", "delete", "update_old", "update_new"} {
					if _, err := app.DB().NewQuery("DROP TRIGGER client_stats_touch_" + name).Execute(); err != nil {
						b.Fatal(err)
					}
				}
			}
			clients := []string{C1, C1b, C1c, C2}
			i := 0
			for b.Loop() {
				_, err := app.DB().Insert("touches", dbx.Params{"id": fmt.Sprintf("benchtouch%05d", i), "client": clients[i%4],
					"occasion": OccStandard, "period": fmt.Sprint(i), "status": "done",
					"created": "2026-01-02 10:00:00.000Z"}).Execute()
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
