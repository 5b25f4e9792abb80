package realtime

import (
	"runtime"
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// allowed decides rule for the record once per request info (one per
// group of subscribers) with PocketBase's own CanAccessRecord, the groups
// in parallel on every core.
//
// (Deciding all groups with one query is not possible through
// PocketBase's API: its rule resolver reads @request.auth fields through a
// join on the auth record by id, under one alias per query.)
func allowed(app core.App, record *core.Record, rule *string, infos []*core.RequestInfo) []bool {
	out := make([]bool, len(infos))
	var wg sync.WaitGroup
	work := make(chan int)
	for range min(len(infos), runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				out[i], _ = app.CanAccessRecord(record, infos[i], rule)
			}
		}()
	}
	for i := range infos {
		work <- i
	}
	close(work)
	wg.Wait()
	return out
}
