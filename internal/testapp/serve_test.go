package testapp_test

import (
	"testing"
	"time"

	. "touchbase/internal/testapp"
)

// TestServeStartsNoTimedJobs: serving a test app must not start
// PocketBase's cron. The morning e-mail job runs every five minutes on the
// wall clock; started in a test it writes digests whenever a run crosses a
// five-minute mark (a fuzz run saw the database change under a GET that
// way). Tests run the jobs themselves, at the time they choose.
func TestServeStartsNoTimedJobs(t *testing.T) {
	app := New(t)
	app.Cron().SetInterval(5 * time.Millisecond) // the ticker starts at the next 5 ms mark, not the next minute
	Serve(t, app)
	time.Sleep(50 * time.Millisecond)
	if app.Cron().HasStarted() {
		t.Fatal("the cron runs in a test app: timed jobs write while tests assert")
	}
}
