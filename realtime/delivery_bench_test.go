package realtime_test

import (
	"fmt"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"touchbase/internal/testapp"
	"touchbase/realtime"
)

// BenchmarkMarkWithPages measures a mark (touch + comment, through the
// model path) with 1,000 page connections on TouchesTopic, spread over
// the fixture's point managers and service manager, against none.
func BenchmarkMarkWithPages(b *testing.B) {
	for _, pages := range []int{0, 1000} {
		b.Run(fmt.Sprintf("pages=%d", pages), func(b *testing.B) {
			app := testapp.New(b)
			users := []string{testapp.PM1, testapp.PM1b, testapp.PM2, testapp.SM}
			for i := range pages {
				auth, err := app.FindRecordById("users", users[i%len(users)])
				if err != nil {
					b.Fatal(err)
				}
				c := subscriptions.NewDefaultClient()
				c.Set(apis.RealtimeClientAuthKey, auth)
				c.Subscribe(realtime.TouchesTopic)
				app.SubscriptionsBroker().Register(c)
				go func() {
					for range c.Channel() {
					}
				}()
			}
			clients, _ := app.FindCollectionByNameOrId("clients")
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				c := core.NewRecord(clients)
				c.Set("name", fmt.Sprint("bench ", i))
				c.Set("point", testapp.P1)
				if err := app.Save(c); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := testapp.MarkTouch(app, c.Id, testapp.OccMandatory, "done", testapp.PM1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
