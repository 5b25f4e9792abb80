package digest_test

import (
	"testing"

	"touchbase/digest"
	"touchbase/internal/testapp"
)

// TestBatchEqualsOneByOne: the e-mails of one run, whose users share the
// figures of a shared scope, are exactly the e-mails built one by one —
// also for a manager moved to another point during the run (their scope
// is read from their record, so they get the new point's figures), and
// for users of different points and roles in any order.
func TestBatchEqualsOneByOne(t *testing.T) {
	app := testapp.New(t)
	now := localTime(t, "Europe/Moscow", 9, 0)
	batch := digest.NewBatch(app, now)
	check := func(id string) {
		t.Helper()
		got, err := batch.Build(user(t, app, id))
		if err != nil {
			t.Fatal(err)
		}
		want := build(t, app, id, now)
		if got.Text() != want.Text() || got.Subject() != want.Subject() {
			t.Errorf("%s: the batch says\n%s\none by one\n%s", id, got.Text(), want.Text())
		}
		gotHTML, err1 := got.HTML()
		wantHTML, err2 := want.HTML()
		if err1 != nil || err2 != nil || gotHTML != wantHTML {
			t.Errorf("%s: the HTML parts differ (%v, %v)", id, err1, err2)
		}
	}
	for _, id := range []string{testapp.PM1, testapp.SM, testapp.PM2, testapp.PM1b, testapp.PM1} {
		check(id)
	}
	moved := user(t, app, testapp.PM1b)
	moved.Set("point", testapp.P2)
	if err := app.Save(moved); err != nil {
		t.Fatal(err)
	}
	check(testapp.PM1b)
	got, err := batch.Build(user(t, app, testapp.PM1b))
	if err != nil {
		t.Fatal(err)
	}
	london := build(t, app, testapp.PM2, now)
	if got.Due != london.Due || got.Overdue != london.Overdue || len(got.Occasions) != len(london.Occasions) {
		t.Errorf("the moved manager got due %d/%d and %d occasions, London's are %d/%d and %d",
			got.Due, got.Overdue, len(got.Occasions), london.Due, london.Overdue, len(london.Occasions))
	}
}
