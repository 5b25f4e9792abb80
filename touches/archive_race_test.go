package touches_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	. "touchbase/internal/testapp"
)

// TestNoMarkAfterArchiveCommits archives an occasion while marks for it
// are in flight: every mark that starts after the archive has committed
// must be refused, however long the rest of the archive request (its
// realtime broadcast, with many open subscriptions) takes.
//
// A test hook right after PocketBase's realtime broadcast of the change
// (which runs after the commit, before the request answers) sends the
// marks and waits for their answers: that is the window a slow broadcast
// opens, made certain instead of likely.
func TestNoMarkAfterArchiveCommits(t *testing.T) {
	app := New(t)
	srv := Serve(t, app)

	// the occasion has been read by earlier marks (anything kept of it
	// would be warm)
	if r := Request(t, srv, "POST", touchesURL, PM1, `{"client":"`+C1+`","occasion":"`+OccStandard+`","status":"done"}`); r.Status != 200 {
		t.Fatalf("warm-up mark: %d %s", r.Status, r.Body)
	}
	clients, _ := app.FindCollectionByNameOrId("clients")
	var waiting []string
	for range 8 {
		c := core.NewRecord(clients)
		c.Set("name", "waiting client")
		c.Set("point", P1)
		if err := app.Save(c); err != nil {
			t.Fatal(err)
		}
		waiting = append(waiting, c.Id)
	}

	var mu sync.Mutex
	accepted := 0
	app.OnModelAfterUpdateSuccess("occasions").Bind(&hook.Handler[*core.ModelEvent]{
		Priority: -98, // after PocketBase's broadcast (-99), before any default-priority hook
		Func: func(e *core.ModelEvent) error {
			if !e.Model.(*core.Record).GetBool("archived") {
				return e.Next()
			}
			var wg sync.WaitGroup
			for _, client := range waiting {
				wg.Go(func() {
					r := Request(t, srv, "POST", touchesURL, PM1, `{"client":"`+client+`","occasion":"`+OccStandard+`","status":"done"}`)
					if r.Status != http.StatusBadRequest {
						mu.Lock()
						accepted++
						mu.Unlock()
						t.Errorf("a mark after the archive committed: %d %s", r.Status, r.Body)
					}
				})
			}
			wg.Wait()
			return e.Next()
		},
	})

	// open pages keep the broadcast busy, as in the field
	for _, id := range []string{PM1, PM1b, PM2, SM} {
		Connect(t, srv).MustSubscribe(t, Auth(id)["Authorization"], "occasions/*", "touches/*", "comments/*")
		for range 3 {
			Connect(t, srv).MustSubscribe(t, Auth(id)["Authorization"], "touchbase/touches", "touchbase/comments")
		}
	}

	if r := Request(t, srv, "PATCH", "/api/collections/occasions/records/"+OccStandard, SM, `{"archived":true}`); r.Status != 200 {
		t.Fatalf("archive: %d %s", r.Status, r.Body)
	}
	if n := Count(t, app, "touches", "occasion = {:o}", dbx.Params{"o": OccStandard}); n != 1 || accepted > 0 {
		t.Errorf("%d marks of the archived occasion, want only the warm-up one", n)
	}
}
